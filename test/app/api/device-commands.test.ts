/**
 * Configuration commands through the API (app/api/device-commands.ts):
 * validation with the field named, the seeds' topics and payload fields,
 * acknowledgements moving the status forward only; and the app as shipped:
 * POST /api/devices/{id}/commands -> the device receives it on
 * commands/{id}/config over MQTT, acknowledges, GET /api/commands/{id} follows.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import mqtt from 'mqtt';
import { buildConfigCommand, parseAck } from '../../../app/api/device-commands';
import { API_OWNER, FlowTap } from '../../../app/api/events';
import { OPENAPI } from '../../../app/api/openapi';
import { HttpError } from '../../../app/api/validate';
import { startApp, RunningApp } from '../../support/app';

const field = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof HttpError, String(err));
    assert.equal(err.status, 400);
    return err.field;
  }
  assert.fail('no error');
};

test('set_interval and set_config: validated, the field named', () => {
  assert.equal(
    field(() => buildConfigCommand('d1', { type: 'set_interval', params: { interval: 0 } })),
    'params.interval',
  );
  assert.equal(
    field(() => buildConfigCommand('d1', { type: 'set_interval', params: { interval: 2.5 } })),
    'params.interval',
  );
  assert.equal(
    field(() => buildConfigCommand('d1', { type: 'set_interval', params: { interval: 30, x: 1 } })),
    'params.x',
  );
  assert.equal(
    field(() => buildConfigCommand('d1', { type: 'set_interval' })),
    'params',
  );
  assert.equal(
    field(() => buildConfigCommand('d1', { type: 'set_config', params: {} })),
    'params',
  );
  assert.equal(
    field(() => buildConfigCommand('d1', { type: 'set_config', params: { 'bad-name': 1 } })),
    'params.bad-name',
  );
  assert.equal(
    field(() => buildConfigCommand('d1', { type: 'set_config', params: { nested: { a: 1 } } })),
    'params.nested',
  );
  assert.equal(
    field(() => buildConfigCommand('d/1', { type: 'set_interval', params: { interval: 30 } })),
    'id',
  );
  assert.equal(
    field(() => buildConfigCommand('d1', { type: 'set_interval', params: { interval: 30 }, ttlSec: 0 })),
    'ttlSec',
  );
});

test("topics and payload: the Command plus the seeds' own fields", () => {
  const now = Date.parse('2025-06-25T10:30:00Z');
  const pi = buildConfigCommand('raspberry-01', { type: 'set_interval', params: { interval: 30 } }, now);
  assert.equal(pi.topic, 'commands/raspberry-01/config');
  assert.deepEqual(
    [pi.command.action, pi.command.params, pi.command.expiresAt - now, pi.command.status],
    ['set_interval', { interval: 30 }, 300_000, 'pending'],
  );
  // LifeCompanion's {command, interval, timestamp} and the platform seed's {command_id, action, params, expires_at}.
  assert.deepEqual([pi.payload.command, pi.payload.interval, pi.payload.timestamp], ['set_interval', 30, '2025-06-25T10:30:00.000Z']);
  assert.deepEqual([pi.payload.command_id, pi.payload.action, pi.payload.expires_at], [pi.command.id, 'set_interval', '2025-06-25T10:35:00.000Z']);
  const lc = buildConfigCommand('accel_001', { type: 'set_config', params: { interval: 10, mode: 'eco', led: false }, layout: 'lifecompanion' }, now);
  assert.equal(lc.topic, 'lifecompanion/devices/accel_001/commands');
  assert.deepEqual(lc.command.params, { interval: 10, mode: 'eco', led: false });
  // The API's schema takes the new types and layouts.
  const schema = OPENAPI.components.schemas.DeviceCommand as { properties: Record<string, { enum?: string[] }> };
  assert.deepEqual(schema.properties.type.enum, ['servo', 'set_interval', 'set_config', 'relay']);
  assert.deepEqual(schema.properties.layout.enum, ['pi', 'lifecompanion', 'esp32']);
  // The ESP32 seed's control topic, acknowledged beside it.
  const esp = buildConfigCommand('esp-7', { type: 'set_config', params: { led: true }, layout: 'esp32' }, now);
  assert.equal(esp.topic, 'commands/esp32/esp-7/control');
  assert.deepEqual(parseAck('commands/esp32/esp-7/control/ack', Buffer.from(`{"id":"${esp.command.id}","status":"executed"}`))?.deviceId, 'esp-7');
});

test('acknowledgements: parsed from the ack topic, only forward, only for the device it was sent to', () => {
  assert.deepEqual(parseAck('commands/d1/config/ack', Buffer.from('{"id":"c1","status":"executed"}')), {
    deviceId: 'd1',
    id: 'c1',
    status: 'executed',
    reason: undefined,
  });
  assert.equal(parseAck('commands/d1/config/ack', Buffer.from('{"command_id":"c1","status":"acknowledged"}'))?.id, 'c1');
  assert.equal(parseAck('commands/d1/config/ack', Buffer.from('{"id":"c1","status":"done"}')), undefined);
  assert.equal(parseAck('commands/d1/servo/ack', Buffer.from('{"id":"c1","status":"executed"}')), undefined);
  assert.equal(parseAck('commands/d1/config/ack', Buffer.from('not json')), undefined);
  const tap = new FlowTap({ hooks: { add: () => undefined, remove: () => undefined } } as never);
  const { command } = buildConfigCommand('d1', { type: 'set_interval', params: { interval: 30 } });
  tap.track({ ...command, status: 'sent' }, API_OWNER);
  assert.equal(tap.acknowledge({ deviceId: 'd2', id: command.id, status: 'executed' }), false, 'another device cannot move it');
  assert.equal(tap.acknowledge({ deviceId: 'd1', id: command.id, status: 'executed' }), true);
  assert.equal(tap.acknowledge({ deviceId: 'd1', id: command.id, status: 'acknowledged' }), false, 'a late duplicate does not move it back');
  assert.equal(tap.commands.get(command.id)?.status, 'executed');
  tap.close();
});

let app: RunningApp | undefined;
after(async () => {
  await app?.stop();
});

test('the app as shipped: POST a set_interval, the device gets it over MQTT, acks, the status follows', { timeout: 120_000 }, async () => {
  app = await startApp({ SIMULATE_DEVICES: '0' });
  const call = async (method: string, p: string, body?: unknown): Promise<{ status: number; json: any }> => {
    const res = await fetch(`${app!.url}${p}`, {
      method,
      headers: { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: await res.json() };
  };
  // The device logs in (the app's own login stands in for a device user here: the ACL lets devices read commands/<id>/#).
  const device = await mqtt.connectAsync(app.mqttUrl, { ...app.mqttAppLogin(), reconnectPeriod: 0 });
  const got: Array<{ topic: string; body: any }> = [];
  device.on('message', (topic, p) => got.push({ topic, body: JSON.parse(p.toString()) }));
  await device.subscribeAsync('commands/raspberry-01/config', { qos: 1 });

  const bad = await call('POST', '/api/devices/raspberry-01/commands', { type: 'set_interval', params: { interval: -5 } });
  assert.deepEqual([bad.status, bad.json.field], [400, 'params.interval']);
  const unknown = await call('POST', '/api/devices/raspberry-01/commands', { type: 'reboot' });
  assert.equal(unknown.status, 400);
  assert.equal(unknown.json.field, 'type');

  const sent = await call('POST', '/api/devices/raspberry-01/commands', { type: 'set_interval', params: { interval: 30 } });
  assert.equal(sent.status, 202, JSON.stringify(sent.json));
  assert.deepEqual([sent.json.status, sent.json.topic, sent.json.action], ['sent', 'commands/raspberry-01/config', 'set_interval']);
  const deadline = Date.now() + 10_000;
  while (!got.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.equal(got[0]?.body.id, sent.json.id, 'the device received the command');
  assert.equal(got[0].body.interval, 30);

  await device.publishAsync('commands/raspberry-01/config/ack', JSON.stringify({ id: sent.json.id, status: 'executed' }), { qos: 1 });
  let status = '';
  while (status !== 'executed' && Date.now() < deadline + 10_000) {
    status = (await call('GET', `/api/commands/${sent.json.id}`)).json.status;
    if (status !== 'executed') await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(status, 'executed');
  await device.endAsync();
});
