/**
 * Integration: every seed payload published through a real Mosquitto, read by the
 * core `mqtt in` node (binary and auto-detect output) and normalized; the Readings
 * match the seed fixtures.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import mqtt from 'mqtt';
import { collect, helper, load, mosquittoSuite, nodeModule } from '../support/red';

const mqttNodes = require('@node-red/nodes/core/network/10-mqtt.js');
const normalizer = nodeModule('payload-normalizer');
const { skip, broker } = mosquittoSuite();

interface Fixture {
  name: string;
  topic: string;
  payload: unknown;
  expected: Record<string, any>;
}
const seeds = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'seeds.json'), 'utf8')) as Fixture[];

const flow = (datatype: string) => [
  { id: 'tab', type: 'tab', label: 'ingest' },
  {
    id: 'broker1',
    type: 'mqtt-broker',
    name: 'test',
    broker: broker().url,
    port: '',
    clientid: '',
    autoConnect: true,
    usetls: false,
    protocolVersion: '4',
    keepalive: '60',
    cleansession: true,
    autoUnsubscribe: true,
  },
  ...['lifecompanion/sensors/#', 'sensors/#', 'sensor/#', 'devices/+/telemetry'].map((topic, i) => ({
    id: `in${i}`,
    type: 'mqtt in',
    z: 'tab',
    broker: 'broker1',
    topic,
    qos: '1',
    datatype,
    wires: [['norm']],
  })),
  { id: 'norm', type: 'payload-normalizer', z: 'tab', wires: [['ok'], ['rej']] },
  { id: 'ok', type: 'helper', z: 'tab' },
  { id: 'rej', type: 'helper', z: 'tab' },
];

async function connected(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (helper.getNode('broker1')?.connected) {
      await new Promise((r) => setTimeout(r, 300)); // let the subscriptions land
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('mqtt-broker node did not connect');
}

for (const datatype of ['buffer', 'auto-detect']) {
  test(`seed payloads through Mosquitto (mqtt in output: ${datatype}) normalize as the fixtures say`, { skip, timeout: 30_000 }, async () => {
    await load([mqttNodes, normalizer], flow(datatype));
    await connected();
    const got = collect('ok', seeds.length, 15_000);
    const pub = await mqtt.connectAsync(broker().url);
    try {
      for (const f of seeds) {
        const text = typeof f.payload === 'string' ? f.payload : JSON.stringify(f.payload);
        await pub.publishAsync(f.topic, text, { qos: 1 });
      }
      await pub.publishAsync('sensors/raspberry-01/motion', 'not json at all', { qos: 1 });
      const rej = collect('rej', 1, 15_000);
      const readings = await got;
      const [bad] = await rej;
      assert.equal(bad.error.code, 'invalid_json');
      // Match each fixture to the reading on the same topic, in publish order.
      for (let i = 0; i < seeds.length; i++) {
        const f = seeds[i];
        const msg = readings[i];
        assert.equal(msg.topic, f.topic, f.name);
        for (const key of ['deviceId', 'sensorType', 'metrics', 'units', 'tags']) {
          if (f.expected[key] !== undefined) assert.deepEqual(msg.payload[key], f.expected[key], `${f.name}: ${key}`);
        }
        if (f.expected.event) assert.equal(msg.payload.event.type, f.expected.event.type, f.name);
      }
    } finally {
      await pub.endAsync();
    }
  });
}
