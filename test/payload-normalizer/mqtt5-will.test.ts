/**
 * Integration: an MQTT 5 device's Last Will with user properties, published by a real Mosquitto when
 * the device's socket dies, read by sensor-input (protocol 5) and normalized into the device's
 * availability Reading (offline), with the device named by the `device_id` user property.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import mqtt from 'mqtt';
import { healthSnapshot } from '../../nodes/common/health';
import { collect, helper, load, mosquittoSuite, nodeModule } from '../support/red';

const mqttNodes = require('@node-red/nodes/core/network/10-mqtt.js');
const nodes = [mqttNodes, nodeModule('sensor-input'), nodeModule('payload-normalizer')];
const { skip, broker } = mosquittoSuite();

const flow = () => {
  const u = new URL(broker().url);
  return [
    { id: 'tab', type: 'tab', label: 'wills' },
    {
      id: 'broker1',
      type: 'mqtt-broker',
      name: 'test',
      broker: u.hostname,
      port: u.port,
      clientid: '',
      autoConnect: true,
      usetls: false,
      protocolVersion: '5',
      keepalive: '60',
      cleansession: true,
    },
    { id: 'in', type: 'sensor-input', z: 'tab', mode: 'mqtt', broker: 'broker1', topics: 'fleet/#', qos: '1', datatype: 'buffer', wires: [['norm']] },
    { id: 'norm', type: 'payload-normalizer', z: 'tab', wires: [['ok'], ['rej']] },
    { id: 'ok', type: 'helper', z: 'tab' },
    { id: 'rej', type: 'helper', z: 'tab' },
  ];
};

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('an MQTT 5 will with user properties marks the device it names offline', { skip, timeout: 30_000 }, async () => {
  await load(nodes, flow());
  await until('subscription', () => healthSnapshot().in?.ok === true && /subscribed/.test(healthSnapshot().in?.detail ?? ''));
  const got = collect('ok', 2, 15_000);
  const device = await mqtt.connectAsync(broker().url, {
    protocolVersion: 5,
    clientId: 'pump-9-fw',
    will: {
      topic: 'fleet/lwt',
      payload: Buffer.from('connection lost'),
      qos: 1,
      retain: false,
      properties: { userProperties: { device_id: 'pump-9', availability: 'offline' } },
    },
  });
  try {
    // Online first, the same way: no device in the topic, the user property names it.
    await device.publishAsync('fleet/lwt', 'up', { qos: 1, properties: { userProperties: { device_id: 'pump-9', availability: 'online' } } });
    await new Promise((r) => setTimeout(r, 200));
    device.stream.destroy(); // the socket dies without DISCONNECT: the broker publishes the will
    const [online, offline] = await got;
    for (const m of [online, offline]) {
      assert.equal(m.topic, 'fleet/lwt');
      assert.deepEqual({ ...m.userProperties }, { device_id: 'pump-9', availability: m === online ? 'online' : 'offline' });
      assert.equal(m.payload.deviceId, 'pump-9');
      assert.equal(m.payload.sensorType, 'availability');
    }
    assert.deepEqual([online.payload.metrics, online.payload.tags], [{ online: 1 }, { status: 'online' }]);
    assert.deepEqual([offline.payload.metrics, offline.payload.tags], [{ online: 0 }, { status: 'offline' }]);
  } finally {
    device.end(true);
    await helper.unload();
  }
});
