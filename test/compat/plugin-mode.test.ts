/**
 * Plugin mode without the npm pack (fast, no registry): the stock Node-RED
 * 4.1 this repository installs (node_modules/node-red, its own red.js and a
 * plain settings file, nothing from our launcher) with this package linked
 * into the user directory's node_modules, as `npm link` or a local install
 * does. Checks what our launcher would otherwise provide: the depth guard
 * (a 10,000-deep JSON on `mqtt in` -> our normalizer is dropped with a clear
 * warning, the runtime keeps going), the German message catalogs the
 * editor asks for, and German node status texts in a runtime whose `lang`
 * setting is `de`, and each node's help in German for a German browser
 * (GET /nodes with Accept-Language: de). stock-node-red.test.ts checks the editor catalogs from
 * the packed module in Node-RED 4.1 and 5 too.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import mqtt from 'mqtt';
import { REPO_ROOT } from '../support/red';
import { checkEditorHelp, checkEditorLocales } from './editor-locales';
import { checkEditorDefaults } from './editor-defaults';
import { freePort, missing, type Service, startMosquitto, tempDir, waitForHttp } from '../support/services';

const MODULE = 'node-red-iot-flow-engine';
const skip = missing('mosquitto');
let broker: Service;
let base = '';
let logOf: () => string = () => '';
const log = (): string => logOf();
const stops: Array<() => void> = [];

/** A stock Node-RED with the package linked into its user directory; `extra` goes into settings.js. */
async function startStock(extra: Record<string, unknown> = {}): Promise<{ base: string; log: () => string }> {
  const userDir = tempDir('plugin-mode');
  fs.mkdirSync(path.join(userDir, 'node_modules'));
  fs.symlinkSync(REPO_ROOT, path.join(userDir, 'node_modules', MODULE), 'dir');
  const port = await freePort();
  fs.writeFileSync(
    path.join(userDir, 'settings.js'),
    `module.exports = ${JSON.stringify({
      uiPort: port,
      uiHost: '127.0.0.1',
      flowFile: 'flows.json',
      credentialSecret: false,
      logging: { console: { level: 'info' } },
      telemetry: { enabled: false, updateNotification: false },
      ...extra,
    })};\n`,
  );
  const env = { ...process.env };
  for (const k of ['DATA_DIR', 'MQTT_URL', 'INFLUX_URL', 'SIMULATE_DEVICES', 'LANG', 'LC_ALL', 'LC_MESSAGES']) delete env[k]; // nothing from our launcher
  const proc = spawn(process.execPath, [require.resolve('node-red/red.js'), '--settings', path.join(userDir, 'settings.js'), '--userDir', userDir], {
    cwd: userDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  stops.push(() => proc.kill('SIGKILL'));
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/settings`, 60_000);
  return { base: url, log: () => out };
}

before(async () => {
  if (skip) return;
  broker = await startMosquitto();
  const stock = await startStock();
  base = stock.base;
  logOf = stock.log;
  await until('flows started', () => /Started flows/.test(log()), 30_000);
});
after(async () => {
  stops.forEach((s) => s());
  await broker?.stop();
});

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${log()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const deepJson = (depth: number): string => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

test(
  'a 10,000-deep JSON on mqtt in -> our normalizer: dropped with a warning, no stack overflow, the next reading goes through',
  { skip, timeout: 60_000 },
  async () => {
    const url = new URL(broker.url);
    // mqtt in has two wires, so Node-RED clones what it sends (where a deep message overflowed the stack).
    const flow = [
      { id: 'tab', type: 'tab', label: 'ingest' },
      {
        id: 'broker1',
        type: 'mqtt-broker',
        name: 'test',
        broker: url.hostname,
        port: url.port,
        clientid: '',
        autoConnect: true,
        usetls: false,
        protocolVersion: '4',
        keepalive: '60',
        cleansession: true,
      },
      { id: 'in1', type: 'mqtt in', z: 'tab', broker: 'broker1', topic: 'sensors/#', qos: '1', datatype: 'json', wires: [['norm', 'dbg']] },
      { id: 'norm', type: 'payload-normalizer', z: 'tab', wires: [['fmt'], ['fmt']] },
      {
        id: 'fmt',
        type: 'change',
        z: 'tab',
        rules: [
          { t: 'set', p: 'topic', pt: 'msg', to: 'out/normalized', tot: 'str' },
          { t: 'set', p: 'payload', pt: 'msg', to: 'payload.deviceId', tot: 'msg' },
        ],
        wires: [['out1']],
      },
      { id: 'out1', type: 'mqtt out', z: 'tab', broker: 'broker1', topic: '', qos: '1', retain: 'false', wires: [] },
      { id: 'dbg', type: 'debug', z: 'tab', active: true, tosidebar: false, console: false, complete: 'true', wires: [] },
    ];
    const deployed = (log().match(/Started flows/g) || []).length;
    const res = await fetch(`${base}/flows`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
      body: JSON.stringify(flow),
    });
    assert.ok(res.status === 200 || res.status === 204, `deploy: ${res.status} ${await res.text()}`);
    await until('the flow to start', () => (log().match(/Started flows/g) || []).length > deployed, 20_000);
    await until('mqtt in connected', () => /Connected to broker/.test(log()), 20_000);

    const client = await mqtt.connectAsync(broker.url);
    try {
      const devices: string[] = [];
      client.on('message', (_t, p) => devices.push(p.toString()));
      await client.subscribeAsync('out/normalized', { qos: 1 });
      await new Promise((r) => setTimeout(r, 500)); // let mqtt in's subscription land
      await client.publishAsync('sensors/deep-1/dht22', deepJson(10_000), { qos: 1 });
      await client.publishAsync('sensors/room-1/dht22', JSON.stringify({ temperature: 21.5 }), { qos: 1 });
      await until('the next reading, normalized', () => devices.includes('room-1'), 20_000);
      assert.deepEqual(
        devices.filter((d) => d !== 'room-1'),
        [],
        'the deep message reached no node',
      );
    } finally {
      await client.endAsync();
    }
    assert.match(log(), /\[mqtt in:in1\] message dropped: nested deeper than 64 levels/);
    assert.doesNotMatch(log(), /Maximum call stack|RangeError/);
    assert.equal((await fetch(`${base}/settings`)).status, 200, 'the runtime is up');
  },
);

test('the editor gets our German and English catalogs for every node set (/locales/<module>/<set>?lng=de)', { skip, timeout: 30_000 }, async () => {
  await checkEditorLocales(base);
});

test(
  "the editor gets each node's help in the browser's language (GET /nodes, Accept-Language: de -> locales/de/<file>.html)",
  { skip, timeout: 30_000 },
  async () => {
    await checkEditorHelp(base);
  },
);

test("the editor gets every dialog's defaults from the runtime (RED.settings.<type>Defaults)", { skip, timeout: 30_000 }, async () => {
  await checkEditorDefaults(base);
});

test('a runtime set to German (settings.lang) shows our node status texts in German', { skip, timeout: 90_000 }, async () => {
  const german = await startStock({ lang: 'de' });
  const url = new URL(broker.url);
  // A status node (created first, so it sees every status) sends the servo node's status text to MQTT.
  const flow = [
    { id: 'tab', type: 'tab', label: 'status' },
    {
      id: 'broker1',
      type: 'mqtt-broker',
      name: 'test',
      broker: url.hostname,
      port: url.port,
      clientid: '',
      autoConnect: true,
      usetls: false,
      protocolVersion: '4',
      keepalive: '60',
      cleansession: true,
    },
    { id: 'watch', type: 'status', z: 'tab', scope: ['servo'], wires: [['fmt']] },
    { id: 'servo', type: 'servo-command', z: 'tab', name: 'pan', mode: 'server', deviceId: 'pan-1', wires: [[], []] },
    {
      id: 'fmt',
      type: 'change',
      z: 'tab',
      rules: [
        { t: 'set', p: 'topic', pt: 'msg', to: 'out/status', tot: 'str' },
        { t: 'set', p: 'payload', pt: 'msg', to: 'status.text', tot: 'msg' },
      ],
      wires: [['out1']],
    },
    { id: 'out1', type: 'mqtt out', z: 'tab', broker: 'broker1', topic: '', qos: '1', retain: 'false', wires: [] },
    {
      id: 'go',
      type: 'inject',
      z: 'tab',
      once: true,
      onceDelay: '2',
      repeat: '',
      topic: '',
      payload: '{"direction":"left"}',
      payloadType: 'json',
      props: [{ p: 'payload' }],
      wires: [['servo']],
    },
  ];
  const client = await mqtt.connectAsync(broker.url);
  try {
    const texts: string[] = [];
    client.on('message', (_t, p) => texts.push(p.toString()));
    await client.subscribeAsync('out/status', { qos: 1 });
    const res = await fetch(`${german.base}/flows`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
      body: JSON.stringify(flow),
    });
    assert.ok(res.status === 200 || res.status === 204, `deploy: ${res.status} ${await res.text()}`);
    await until('the servo status through MQTT', () => texts.some((t) => t.startsWith('gesendet')), 30_000);
    assert.ok(texts.includes('gesendet: left → pan-1'), JSON.stringify(texts));
    assert.ok(!texts.some((t) => /^sent /.test(t) || t.startsWith('servo-command.')), JSON.stringify(texts));
  } finally {
    await client.endAsync();
  }
});
