/**
 * A Zigbee2MQTT friendly name holding `/` (`living room/lamp`) through every
 * API path that takes a device id, end to end on a real Mosquitto: sent as
 * %2F, decoded exactly once (`%252F` stays a literal `%2F`), the relay command
 * published on `zigbee2mqtt/living room/lamp/set` and executed by the state
 * message the device answers with; the registry's GET, PUT and DELETE take it too.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import mqtt from 'mqtt';
import { startApp, RunningApp } from '../support/app';
import { missing, startMosquitto, Service } from '../support/services';

const skip = missing('mosquitto');
const NAME = 'living room/lamp';
const ENC = encodeURIComponent(NAME); // living%20room%2Flamp
let broker: Service | undefined;
let app: RunningApp | undefined;
after(async () => {
  await app?.stop();
  await broker?.stop();
});

async function call(method: string, p: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${app!.url}${p}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}
async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${app!.log().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('a device id with / (Zigbee2MQTT "living room/lamp"): commanded, confirmed and registered through %2F paths', { skip, timeout: 120_000 }, async () => {
  broker = await startMosquitto();
  app = await startApp({ MQTT_URL: broker.url, SIMULATE_DEVICES: '0' });
  const device = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
  const got: Array<{ topic: string; text: string }> = [];
  device.on('message', (topic, p) => got.push({ topic, text: p.toString() }));
  await device.subscribeAsync('zigbee2mqtt/#', { qos: 1 });

  // The device is known to the app by its state, under its whole friendly name.
  await until('the app subscribed', async () => {
    await device.publishAsync(`zigbee2mqtt/${NAME}`, '{"state":"OFF","linkquality":96}', { qos: 1 });
    const d = await call('GET', `/api/devices/${ENC}`);
    return d.status === 200 ? d : undefined;
  });
  const seen = await call('GET', `/api/devices/${ENC}`);
  assert.equal(seen.json.deviceId, NAME);
  assert.equal((await call('GET', `/api/devices/${ENC}/readings/latest`)).json.state.value, 0);

  const sent = await call('POST', `/api/devices/${ENC}/commands`, { type: 'relay', firmware: 'zigbee2mqtt', params: { state: 'ON' } });
  assert.equal(sent.status, 202, JSON.stringify(sent.json));
  assert.deepEqual([sent.json.deviceId, sent.json.topic, sent.json.status], [NAME, `zigbee2mqtt/${NAME}/set`, 'sent']);
  const msg = await until('the /set message', () => got.find((m) => m.topic === `zigbee2mqtt/${NAME}/set`));
  assert.deepEqual(JSON.parse(msg.text), { state: 'ON' });
  assert.equal((await call('GET', `/api/commands/${sent.json.id}`)).json.status, 'sent', 'not executed before the device says so');
  await device.publishAsync(`zigbee2mqtt/${NAME}`, '{"state":"ON","linkquality":96}', { qos: 1 });
  await until('executed', async () => ((await call('GET', `/api/commands/${sent.json.id}`)).json.status === 'executed' ? true : undefined));

  // Names the ACL cannot cover, or that are not a friendly name, are refused with the field named.
  const deep = await call('POST', `/api/devices/${encodeURIComponent('a/b/c/d')}/commands`, {
    type: 'relay',
    firmware: 'zigbee2mqtt',
    params: { state: 'ON' },
  });
  assert.deepEqual([deep.status, deep.json.field], [400, 'id']);
  const empty = await call('POST', `/api/devices/${encodeURIComponent('a//b')}/commands`, { type: 'relay', firmware: 'zigbee2mqtt', params: { state: 'ON' } });
  assert.deepEqual([empty.status, empty.json.field], [400, 'id']);
  // Other firmwares' ids stay one topic level.
  const tas = await call('POST', `/api/devices/${ENC}/commands`, { type: 'relay', firmware: 'tasmota', params: { state: 'ON' } });
  assert.deepEqual([tas.status, tas.json.field], [400, 'id']);

  // The registry: PUT, GET, export and DELETE with the same encoded id.
  const put = await call('PUT', `/api/devices/${ENC}/registry`, { name: 'Lamp', location: 'Living room' });
  assert.deepEqual([put.status, put.json.id, put.json.name], [200, NAME, 'Lamp']);
  assert.equal((await call('GET', `/api/devices/${ENC}/registry`)).json.location, 'Living room');
  assert.ok((await call('GET', '/api/registry/export')).json.some((e: any) => e.id === NAME));
  assert.equal((await call('GET', `/api/devices/${ENC}`)).json.name, 'Lamp', 'the device view carries its registry name');
  // Decoded once: %252F is the id `x%2Fy`, not `x/y`.
  const once = await call('PUT', '/api/devices/x%252Fy/registry', { name: 'Literal' });
  assert.deepEqual([once.status, once.json.id], [200, 'x%2Fy']);
  assert.equal((await call('GET', `/api/devices/${encodeURIComponent('x/y')}/registry`)).status, 404);
  const del = await call('DELETE', `/api/devices/${ENC}/registry`);
  assert.deepEqual([del.status, del.json.id], [200, NAME]);
  assert.equal((await call('GET', `/api/devices/${ENC}/registry`)).status, 404);
  await device.endAsync();
});
