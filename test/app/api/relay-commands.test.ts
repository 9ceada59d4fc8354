/**
 * Relay commands (app/api/relay-commands.ts) and availability through the app as
 * shipped: each firmware's command lands on its own topic with its own payload
 * on the embedded broker; the device's state message, decoded by the shipped
 * normalizer, makes the command executed; one nobody confirms expires. A
 * Zigbee2MQTT availability `offline` makes the device offline in the API and
 * fires the device-silent alert; `online` resolves it.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import mqtt from 'mqtt';
import { buildRelayCommand, confirms } from '../../../app/api/relay-commands';
import { API_OWNER, FlowTap } from '../../../app/api/events';
import { mayPublish, RELAY_COMMANDS, covered } from '../../../app/broker-acl';
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

/** firmware, device, params -> topic, payload as published, metric that confirms. */
const CASES = [
  {
    firmware: 'tasmota',
    id: 'tasmota-plug',
    params: { state: 'ON' },
    topic: 'cmnd/tasmota-plug/POWER1',
    payload: 'ON',
    state: ['stat/tasmota-plug/RESULT', '{"POWER":"ON"}'],
  },
  {
    firmware: 'shelly',
    id: 'shelly1-abc',
    params: { state: 'OFF', channel: 1 },
    topic: 'shellies/shelly1-abc/relay/1/command',
    payload: 'off',
    state: ['shellies/shelly1-abc/relay/1', 'off'],
  },
  {
    firmware: 'shelly-gen2',
    id: 'shellyplus1-a8',
    params: { state: 'ON' },
    topic: 'shellyplus1-a8/rpc',
    payload: { method: 'Switch.Set', params: { id: 0, on: true } },
    state: ['shellyplus1-a8/status/switch:0', '{"id":0,"source":"MQTT","output":true,"temperature":{"tC":40.2,"tF":104.4}}'],
  },
  {
    firmware: 'esphome',
    id: 'esp-relay',
    params: { state: 'ON', name: 'relay' },
    topic: 'esp-relay/switch/relay/command',
    payload: 'ON',
    state: ['esp-relay/switch/relay/state', 'ON'],
  },
  {
    firmware: 'zigbee2mqtt',
    id: 'kitchen-plug',
    params: { state: 'ON' },
    topic: 'zigbee2mqtt/kitchen-plug/set',
    payload: { state: 'ON' },
    state: ['zigbee2mqtt/kitchen-plug', '{"state":"ON","linkquality":120}'],
  },
] as const;

test("relay: validated with the field named; each firmware's topic, payload and confirming metric", () => {
  assert.equal(
    field(() => buildRelayCommand('d1', { type: 'relay', params: { state: 'ON' } })),
    'firmware',
  );
  assert.equal(
    field(() => buildRelayCommand('d1', { type: 'relay', firmware: 'tasmota', params: { state: 'MAYBE' } })),
    'params.state',
  );
  assert.equal(
    field(() => buildRelayCommand('d1', { type: 'relay', firmware: 'tasmota', params: { state: 'ON', channel: 8 } })),
    'params.channel',
  );
  assert.equal(
    field(() => buildRelayCommand('d1', { type: 'relay', firmware: 'esphome', params: { state: 'ON' } })),
    'params.name',
  );
  assert.equal(
    field(() => buildRelayCommand('d1', { type: 'relay', firmware: 'shelly', params: { state: 'ON', name: 'x' } })),
    'params.name',
  );
  assert.equal(
    field(() => buildRelayCommand('a+b', { type: 'relay', firmware: 'tasmota', params: { state: 'ON' } })),
    'id',
  );
  assert.equal(
    field(() => buildRelayCommand('d1', { type: 'relay', firmware: 'tasmota', params: { state: 'ON' }, ttlSec: 0 })),
    'ttlSec',
  );
  const t = buildRelayCommand('plug', { type: 'relay', firmware: 'tasmota', params: { state: 'toggle', channel: 2 } });
  assert.deepEqual([t.topic, t.payload, t.expect.metrics, t.expect.want], ['cmnd/plug/POWER3', 'TOGGLE', ['power3'], undefined]);
  // TOGGLE of a relay known to be on expects off.
  const known = buildRelayCommand('plug', { type: 'relay', firmware: 'tasmota', params: { state: 'TOGGLE' } }, Date.now(), (m) =>
    m === 'power' ? 1 : undefined,
  );
  assert.equal(known.expect.want, 0);
  const g2 = buildRelayCommand('sp', { type: 'relay', firmware: 'shelly-gen2', params: { state: 'TOGGLE', channel: 1 } });
  assert.deepEqual([(g2.payload as any).method, (g2.payload as any).params], ['Switch.Toggle', { id: 1 }]);
  const z = buildRelayCommand('living room lamp', { type: 'relay', firmware: 'zigbee2mqtt', params: { state: 'OFF', endpoint: 'l2' } });
  assert.deepEqual([z.topic, z.payload, z.expect.metrics, z.expect.want], ['zigbee2mqtt/living room lamp/set', { state_l2: 'OFF' }, ['state_l2'], 0]);
  assert.equal(z.command.action, 'relay');
  assert.ok(confirms(z.expect, { state_l2: 0 }));
  assert.ok(!confirms(z.expect, { state_l2: 1 }));
  assert.ok(!confirms(z.expect, { linkquality: 3 }));
});

test('relay: the API may publish each command topic; the ACL list covers them and no other Tasmota command', () => {
  for (const c of CASES) {
    assert.ok(
      RELAY_COMMANDS.some((p) => covered(p, c.topic)),
      `${c.topic} is in RELAY_COMMANDS`,
    );
    assert.equal(mayPublish({ role: 'app' }, c.topic), true);
    assert.equal(mayPublish({ role: 'device', username: c.id }, c.topic), false, 'a device cannot command another');
  }
  assert.ok(!RELAY_COMMANDS.some((p) => covered(p, 'cmnd/plug/Backlog')), 'no Backlog, Reset, Upgrade...');
});

test('relay: a confirming Reading executes it, only for that device and only after it was sent', () => {
  const tap = new FlowTap({ hooks: { add: () => undefined, remove: () => undefined } } as never);
  const out = buildRelayCommand('plug', { type: 'relay', firmware: 'zigbee2mqtt', params: { state: 'ON' } });
  tap.expectState({ ...out.command, status: 'sent' }, out.expect);
  const send = (payload: unknown) => tap.onSend([{ msg: { payload }, source: { id: 'n', node: { type: 'payload-normalizer' } } }]);
  send({ deviceId: 'other', sensorType: 'zigbee', metrics: { state: 1 }, received: Date.now() });
  send({ deviceId: 'plug', sensorType: 'zigbee', metrics: { state: 1 }, received: out.command.createdAt - 1 });
  send({ deviceId: 'plug', sensorType: 'zigbee', metrics: { state: 0 }, received: Date.now() });
  assert.equal(tap.commands.get(out.command.id)?.status, 'sent');
  send([{ deviceId: 'plug', sensorType: 'zigbee', metrics: { state: 1 }, received: Date.now() }]);
  assert.equal(tap.commands.get(out.command.id)?.status, 'executed');
  // Expiry: an API command nobody confirms is expired at expiresAt.
  const late = buildRelayCommand('plug', { type: 'relay', firmware: 'zigbee2mqtt', params: { state: 'OFF' }, ttlSec: 1 }, Date.now() - 2000);
  tap.expectState({ ...late.command, status: 'sent' }, late.expect);
  tap.refresh();
  assert.equal(tap.commands.get(late.command.id)?.status, 'expired');
  assert.equal(API_OWNER, 'api-mqtt');
  tap.close();
});

let app: RunningApp | undefined;
after(async () => {
  await app?.stop();
});

async function call(method: string, p: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${app!.url}${p}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}
async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${app!.log().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test(
  'the app as shipped: relay commands per firmware on the broker, executed by the state message; availability drives online and the alert',
  { timeout: 120_000 },
  async () => {
    app = await startApp({ SIMULATE_DEVICES: '0' });
    const device = await mqtt.connectAsync(app.mqttUrl, { ...app.mqttAppLogin(), reconnectPeriod: 0 });
    const got: Array<{ topic: string; text: string }> = [];
    device.on('message', (topic, p) => got.push({ topic, text: p.toString() }));
    await device.subscribeAsync(['cmnd/#', 'shellies/+/relay/+/command', '+/rpc', '+/switch/+/command', 'zigbee2mqtt/+/set'], { qos: 1 });

    const bad = await call('POST', '/api/devices/plug/commands', { type: 'relay', params: { state: 'ON' } });
    assert.deepEqual([bad.status, bad.json.field], [400, 'firmware']);

    for (const c of CASES) {
      const sent = await call('POST', `/api/devices/${c.id}/commands`, { type: 'relay', firmware: c.firmware, params: c.params });
      assert.equal(sent.status, 202, JSON.stringify(sent.json));
      assert.deepEqual([sent.json.status, sent.json.topic, sent.json.action], ['sent', c.topic, 'relay']);
      const msg = await until(`${c.topic}`, () => got.find((m) => m.topic === c.topic));
      if (typeof c.payload === 'string') assert.equal(msg.text, c.payload, c.firmware);
      else {
        const body = JSON.parse(msg.text);
        for (const [k, v] of Object.entries(c.payload)) assert.deepEqual(body[k], v, `${c.firmware} payload ${k}`);
      }
      assert.equal((await call('GET', `/api/commands/${sent.json.id}`)).json.status, 'sent', 'not executed before the device says so');
      await device.publishAsync(c.state[0], c.state[1], { qos: 1 });
      const status = await until(`${c.firmware} executed`, async () => {
        const s = (await call('GET', `/api/commands/${sent.json.id}`)).json.status;
        return s === 'executed' ? s : undefined;
      });
      assert.equal(status, 'executed');
    }

    // Nobody confirms: expired at expiresAt.
    const lone = await call('POST', '/api/devices/tasmota-plug/commands', { type: 'relay', firmware: 'tasmota', params: { state: 'OFF' }, ttlSec: 1 });
    assert.equal(lone.status, 202);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await call('GET', `/api/commands/${lone.json.id}`)).json.status, 'expired');

    // Availability: kitchen-plug (seen above through its state) announced offline by Zigbee2MQTT.
    const online = async () => (await call('GET', '/api/devices/kitchen-plug')).json;
    assert.equal(
      (
        await until('kitchen-plug known', async () => {
          const d = await online();
          return d.deviceId ? d : undefined;
        })
      ).online,
      true,
    );
    await device.publishAsync('zigbee2mqtt/kitchen-plug/availability', '{"state":"offline"}', { qos: 1, retain: true });
    const off = await until('offline in the API', async () => {
      const d = await online();
      return d.online === false ? d : undefined;
    });
    assert.equal(off.onlineSource, 'availability');
    const alert = await until('device-silent fired', async () =>
      (await call('GET', '/api/alerts')).json.active.find((a: any) => a.deviceId === 'kitchen-plug' && a.ruleId === 'device-silent'),
    );
    assert.deepEqual([alert.state, alert.metric], ['firing', 'online']);
    const list = await call('GET', '/api/devices');
    assert.equal(list.json.find((d: any) => d.deviceId === 'kitchen-plug').online, false, 'GET /api/devices agrees');

    await device.publishAsync('zigbee2mqtt/kitchen-plug/availability', '{"state":"online"}', { qos: 1, retain: true });
    await until('online again', async () => ((await online()).online === true ? true : undefined));
    await until('alert resolved', async () =>
      (await call('GET', '/api/alerts')).json.active.some((a: any) => a.deviceId === 'kitchen-plug') ? undefined : true,
    );
    await device.endAsync();
  },
);
