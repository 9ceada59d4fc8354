/**
 * Durable acknowledgement through a real flow: sensor-input (MQTT, ack when
 * durable) -> payload-normalizer -> influxdb-writer against a real influxd.
 * The broker is an in-process aedes, which reports every PUBACK it receives,
 * so the tests see exactly when the flow acknowledged each message.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import mqtt from 'mqtt';
import { countPoints, until, writerModules } from '../influxdb/influx-support';
import { helper, load, nodeModule, startServer, stopServer } from '../support/red';
import { freePort, missing, Service, startInflux1, tempDir } from '../support/services';

const mqttNodes = require('@node-red/nodes/core/network/10-mqtt.js');
const skip = missing('influxd');

let broker: { port: number; acks: number; close(): Promise<void> };
let influx: Service | undefined;

before(async () => {
  const port = await freePort();
  const aedes = require('aedes')();
  const server = net.createServer(aedes.handle);
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  const state = { port, acks: 0, close: () => new Promise<void>((r) => aedes.close(() => server.close(() => r()))) };
  // 'ack': a subscriber acknowledged a QoS 1 message. Only our flow subscribes.
  aedes.on('ack', () => state.acks++);
  broker = state;
  await startServer();
});
afterEach(() => helper.unload());
after(async () => {
  await stopServer();
  await broker.close();
  await influx?.stop();
});

const flow = (influxUrl: string, normProps: Record<string, unknown> = {}, database = 'durable') => [
  { id: 'tab', type: 'tab', label: 'durable' },
  {
    id: 'b',
    type: 'mqtt-broker',
    broker: '127.0.0.1',
    port: String(broker.port),
    clientid: '',
    autoConnect: true,
    usetls: false,
    protocolVersion: '4',
    keepalive: '60',
    cleansession: true,
  },
  {
    id: 'in',
    type: 'sensor-input',
    z: 'tab',
    mode: 'mqtt',
    broker: 'b',
    topics: 'lifecompanion/sensors/#',
    qos: '1',
    datatype: 'buffer',
    configVersion: 2,
    persistent: true,
    ack: 'durable',
    wires: [['norm']],
  },
  { id: 'norm', type: 'payload-normalizer', z: 'tab', catchRejects: false, ...normProps, wires: [['w'], []] },
  { id: 'cfg', type: 'iot-influxdb-config', version: '1', url: influxUrl, database, configVersion: 1 },
  {
    id: 'w',
    type: 'influxdb-writer',
    z: 'tab',
    influx: 'cfg',
    batchSize: 1000,
    flushMs: 200,
    timeoutMs: 60_000,
    spoolMaxMB: 10,
    configVersion: 1,
    wires: [[], []],
  },
];
const modules = () => [mqttNodes, nodeModule('sensor-input'), nodeModule('payload-normalizer'), ...writerModules()];

const reading = (i: number) =>
  JSON.stringify({
    device_id: `ruuvi_${i % 7}`,
    timestamp: new Date(1_700_000_000_000 + i * 1000).toISOString(),
    temperature: 20 + (i % 5),
    humidity: 50,
    pressure: 1013,
    battery: 90,
  });

async function publish(messages: Array<[string, string]>): Promise<void> {
  const pub = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`);
  for (const [topic, payload] of messages) await pub.publishAsync(topic, payload, { qos: 1 });
  await pub.endAsync();
}

async function ackedOnceStored(normProps: Record<string, unknown>, database: string): Promise<void> {
  influx ??= await startInflux1();
  process.env.DATA_DIR = tempDir('durable-ack');
  await load(modules(), flow(influx.url, normProps, database));
  await new Promise((r) => setTimeout(r, 800));
  const before = broker.acks;
  // influxd frozen: the writer's request hangs, its points are in memory only.
  influx.proc.kill('SIGSTOP');
  try {
    // The reject first: acknowledgements go out in arrival order.
    await publish([
      ['lifecompanion/sensors/ruuvi_1/environmental', '{"cut'],
      ...Array.from({ length: 20 }, (_, i): [string, string] => [`lifecompanion/sensors/ruuvi_${i % 7}/environmental`, reading(i)]),
    ]);
    await until('the reject acknowledged', () => broker.acks - before >= 1, 10_000, 50);
    await new Promise((r) => setTimeout(r, 1500)); // several flush intervals
    assert.equal(broker.acks - before, 1, 'only the rejected message is acknowledged while InfluxDB does not answer');
  } finally {
    influx.proc.kill('SIGCONT');
  }
  await until('every reading acknowledged', () => broker.acks - before === 21, 30_000, 50);
  // (A fresh influxd answers the first write with 404: the batch is spooled, fsynced and acknowledged, then replayed.)
  await until('20 points in InfluxDB', async () => (await countPoints(influx!.url, database, 'environmental', 'temperature')) === 20, 30_000);
}

test('a reading is acknowledged only once InfluxDB has it; a rejected message at once', { skip, timeout: 90_000 }, async () => {
  await ackedOnceStored({}, 'durable');
});

test('output 1 in batches: each message is acknowledged only once InfluxDB has its batch; a rejected message at once', { skip, timeout: 90_000 }, async () => {
  await ackedOnceStored({ readingsBatchMs: 100 }, 'durable_batches');
});

test('with no database configured, readings are acknowledged once fsynced to the spool', { timeout: 60_000 }, async () => {
  const dir = tempDir('durable-spool');
  process.env.DATA_DIR = dir;
  await load(modules(), flow(''));
  await new Promise((r) => setTimeout(r, 800));
  const before = broker.acks;
  await publish(Array.from({ length: 30 }, (_, i): [string, string] => [`lifecompanion/sensors/ruuvi_${(100 + i) % 7}/environmental`, reading(100 + i)]));
  await until('every reading acknowledged', () => broker.acks - before === 30, 20_000, 50);
  const spoolDir = path.join(dir, 'spool', 'w');
  const files = require('fs')
    .readdirSync(spoolDir)
    .filter((f: string) => f.endsWith('.lp'));
  const lines = files
    .map((f: string) => require('fs').readFileSync(path.join(spoolDir, f), 'utf8'))
    .join('')
    .split('\n')
    .filter((l: string) => l.startsWith('environmental'));
  assert.equal(lines.length, 30, 'every acknowledged reading is in the spool');
});
