/** Saved flows with the old config node types: the launcher and the CLI rename them (issue 14). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import { installFlows } from '../../app/flows';
import { checkFlows } from '../../scripts/check-flows';
import { tempDir } from '../support/services';

const tab = { id: 'a', type: 'tab', label: 'a', env: [{ name: 'FLOW_VERSION', value: '1.0.0', type: 'str' }] };
const saved = [tab, { id: 'db', type: 'influxdb-config', url: '' }, { id: 'w', type: 'influxdb-writer', z: 'a', influx: 'db', wires: [] }];

test('installFlows renames old types in a kept flows.json and keeps the previous file', () => {
  const root = tempDir('migrate');
  fs.mkdirSync(path.join(root, 'src'));
  fs.writeFileSync(path.join(root, 'src', 'a.json'), JSON.stringify([tab]));
  const user = path.join(root, 'user');
  installFlows(user, [path.join(root, 'src')]);
  fs.writeFileSync(path.join(user, 'flows.json'), JSON.stringify(saved)); // as edited and saved before the rename
  const kept = installFlows(user, [path.join(root, 'src')]);
  assert.equal(kept.written, false);
  assert.deepEqual(kept.migrated, ['db: influxdb-config -> iot-influxdb-config']);
  const flows = JSON.parse(fs.readFileSync(path.join(user, 'flows.json'), 'utf8'));
  assert.equal(flows.find((n: { id: string }) => n.id === 'db').type, 'iot-influxdb-config');
  assert.equal(JSON.parse(fs.readFileSync(path.join(user, 'flows.json.bak'), 'utf8'))[1].type, 'influxdb-config');
  assert.deepEqual(installFlows(user, [path.join(root, 'src')]).migrated, []);
});

test('node-red-iot-migrate-flows rewrites a stock flow file', () => {
  const file = path.join(tempDir('migrate-cli'), 'flows.json');
  fs.writeFileSync(file, JSON.stringify(saved));
  const cli = path.resolve(__dirname, '..', '..', 'scripts', 'migrate-flows.js');
  const r = spawnSync(process.execPath, [cli, file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /renamed db: influxdb-config -> iot-influxdb-config/);
  assert.equal(JSON.parse(fs.readFileSync(file, 'utf8'))[1].type, 'iot-influxdb-config');
  const bad = spawnSync(process.execPath, [cli, path.join(path.dirname(file), 'missing.json')], { encoding: 'utf8' });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /node-red-iot-migrate-flows: .*missing\.json/);
});

test('the flow checker names the new type for an old one', () => {
  const problems = checkFlows([{ file: 'f.json', nodes: saved }], { knownTypes: new Set(['influxdb-writer']), documentedEnv: new Set() });
  assert.ok(
    problems.some((p) => /node db \(influxdb-config\): old type name, now iot-influxdb-config/.test(p)),
    problems.join('\n'),
  );
});
