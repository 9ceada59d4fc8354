/**
 * Where node state goes (issue 14): never the current directory. Under the
 * test helper (no user directory) a per-process temporary folder that is
 * removed when the process exits.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { resolveDataDir, tempDataDir } from '../../nodes/common/data-dir';
import { helper, load, nodeModule } from '../support/red';

test('resolveDataDir: iotDataDir, then userDir, then DATA_DIR, else a temporary folder', () => {
  const cases: Array<[Record<string, unknown>, Record<string, string>, string]> = [
    [{ iotDataDir: '/srv/iot', userDir: '/home/pi/.node-red' }, { DATA_DIR: '/data' }, '/srv/iot'],
    [{ userDir: '/home/pi/.node-red' }, { DATA_DIR: '/data' }, '/home/pi/.node-red'],
    [{}, { DATA_DIR: '/data' }, '/data'],
    [{ userDir: '  ', iotDataDir: '' }, { DATA_DIR: '' }, tempDataDir()],
    [{}, {}, tempDataDir()],
  ];
  for (const [settings, env, want] of cases) assert.equal(resolveDataDir(settings, env), want, JSON.stringify({ settings, env }));
  assert.notEqual(tempDataDir(), process.cwd());
  assert.ok(tempDataDir().startsWith(os.tmpdir()), tempDataDir());
});

test('the temporary folder is removed when the process exits', () => {
  const mod = path.resolve(__dirname, '..', '..', 'nodes', 'common', 'data-dir.js');
  const r = spawnSync(
    process.execPath,
    ['-e', `const d = require(${JSON.stringify(mod)}).tempDataDir(); require('fs').writeFileSync(d + '/x', '1'); console.log(d)`],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  const dir = r.stdout.trim();
  assert.match(dir, /node-red-iot-/);
  assert.equal(fs.existsSync(dir), false, `${dir} left behind`);
});

// The tester's case from the issue: threshold-alert in the helper with no DATA_DIR and no userDir.
const savedEnv = process.env.DATA_DIR;
before(() => {
  delete process.env.DATA_DIR;
  return new Promise<void>((r) => helper.startServer(() => r()));
});
afterEach(() => helper.unload());
after(async () => {
  if (savedEnv !== undefined) process.env.DATA_DIR = savedEnv;
  await new Promise<void>((r) => helper.stopServer(() => r()));
});

test('under the test helper, threshold-alert keeps its state in the temporary folder, not the current directory', async () => {
  const rules = [{ id: 'hot', metric: 'temperature', operator: '>', threshold: 25, severity: 'warning' }];
  await load(
    [nodeModule('threshold-alert')],
    [
      { id: 'tab', type: 'tab' },
      { id: 'ta-dir', z: 'tab', type: 'threshold-alert', rules: JSON.stringify(rules), wires: [['out'], []] },
      { id: 'out', z: 'tab', type: 'helper' },
    ],
  );
  const fired = new Promise((resolve) => helper.getNode('out').once('input', resolve));
  helper.getNode('ta-dir').receive({ payload: { deviceId: 'd1', sensorType: 't', ts: Date.now(), received: Date.now(), metrics: { temperature: 30 } } });
  await fired;
  const file = path.join(tempDataDir(), 'alerts', 'ta-dir.json');
  const end = Date.now() + 5000;
  while (!fs.existsSync(file) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  assert.ok(fs.existsSync(file), `state file ${file}`);
  assert.equal(fs.existsSync(path.join(process.cwd(), 'alerts', 'ta-dir.json')), false, 'nothing written to the current directory');
});
