import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import bcrypt from 'bcryptjs';
import mqtt from 'mqtt';
import { BrokerAuth, brokerHooks, ControlPublish, isControlTopic, startEmbeddedBroker } from '../../app/broker';

const APP = { username: 'iot-app', password: 'app-password-0123456789' };
const auth = (extra: Partial<BrokerAuth> = {}): BrokerAuth => ({
  app: APP,
  users: [{ username: 'dev-1', passwordHash: bcrypt.hashSync('device-pw', 4), role: 'device' }],
  anonymousLoopback: true,
  ...extra,
});
type Client = { id: string; conn?: { remoteAddress?: string }; iot?: { role: string; username?: string } };
const login = (hooks: ReturnType<typeof brokerHooks>, client: Client, username?: string, password?: string) =>
  new Promise<{ ok: boolean; code?: number; message?: string }>((resolve) =>
    hooks.authenticate(client as never, username, password === undefined ? undefined : Buffer.from(password), (err, ok) =>
      resolve({ ok, code: err?.returnCode, message: err?.message }),
    ),
  );

test('isControlTopic: control actions and device commands, not lists or acks', () => {
  for (const t of ['alerts/control/ack', 'alerts/control/resolve', 'alerts/control/arm', 'alerts/control/rules', 'commands/dev-1/servo'])
    assert.equal(isControlTopic(t), true, t);
  for (const t of ['alerts/control/list', 'commands/dev-1/servo/ack', 'sensors/dev-1/env', 'alerts/control/ack/x']) assert.equal(isControlTopic(t), false, t);
});

test('broker hooks: anonymous from loopback only, the app by its secret, users through the gate', async () => {
  const hooks = brokerHooks(auth());
  try {
    const local: Client = { id: 'a', conn: { remoteAddress: '127.0.0.1' } };
    assert.deepEqual(await login(hooks, local), { ok: true, code: undefined, message: undefined });
    assert.deepEqual(local.iot, { role: 'anonymous' });
    assert.deepEqual(await login(hooks, { id: 'b', conn: { remoteAddress: '10.0.0.5' } }), {
      ok: false,
      code: 5,
      message: 'anonymous clients are not allowed',
    });
    const app: Client = { id: 'c', conn: { remoteAddress: '10.0.0.5' } };
    assert.equal((await login(hooks, app, APP.username, APP.password)).ok, true);
    assert.deepEqual(app.iot, { role: 'app', username: 'iot-app' });
    assert.deepEqual(await login(hooks, { id: 'd' }, APP.username, 'wrong'), { ok: false, code: 4, message: 'bad user name or password' });
    const dev: Client = { id: 'e', conn: { remoteAddress: '10.0.0.6' } };
    assert.equal((await login(hooks, dev, 'dev-1', 'device-pw')).ok, true);
    assert.deepEqual(dev.iot, { role: 'device', username: 'dev-1' });
    assert.equal((await login(hooks, { id: 'f', conn: { remoteAddress: '10.0.0.7' } }, 'dev-1', 'nope')).code, 4);
  } finally {
    await hooks.gate.close();
  }
  const noAnon = brokerHooks(auth({ anonymousLoopback: false }));
  try {
    assert.equal((await login(noAnon, { id: 'g', conn: { remoteAddress: '127.0.0.1' } })).code, 5);
  } finally {
    await noAnon.gate.close();
  }
});

test('broker hooks: publishes checked by the ACL, control publishes by others reported with the verdict', async () => {
  const seen: ControlPublish[] = [];
  const hooks = brokerHooks(auth({ onControl: (e) => seen.push(e) }));
  const pub = (client: Client | null, topic: string) =>
    new Promise<string | null>((resolve) => hooks.authorizePublish(client as never, { topic, payload: 'x' }, (err) => resolve(err ? err.message : null)));
  try {
    const anon: Client = { id: 'anon', iot: { role: 'anonymous' } };
    const app: Client = { id: 'app', iot: { role: 'app', username: 'iot-app' } };
    assert.equal(await pub(anon, 'sensors/d/env'), null);
    assert.equal(await pub(anon, 'commands/dev-1/servo'), 'not authorized to publish on commands/dev-1/servo');
    assert.equal(await pub(app, 'commands/dev-1/servo'), null);
    assert.equal(await pub(null, '$SYS/x'), null, 'the broker itself');
    assert.deepEqual(
      seen.map((e) => [e.clientId, e.role, e.topic, e.allowed, e.payload.toString()]),
      [['anon', 'anonymous', 'commands/dev-1/servo', false, 'x']],
      'the app own commands are not audited',
    );
    const sub = await new Promise<unknown>((resolve) => hooks.authorizeSubscribe(anon as never, { topic: 'commands/#' }, (_e, s) => resolve(s)));
    assert.equal(sub, null);
  } finally {
    await hooks.gate.close();
  }
});

test('embedded broker: a real client logs in and gets its own message back; a used port is a clear error', async () => {
  const broker = await startEmbeddedBroker(0, auth());
  try {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { ...APP, reconnectPeriod: 0 });
    try {
      const got = new Promise<string>((resolve) => client.once('message', (topic, payload) => resolve(`${topic} ${payload}`)));
      await client.subscribeAsync('sensors/#');
      await client.publishAsync('sensors/dev-1/env', '{"t":1}');
      assert.equal(await got, 'sensors/dev-1/env {"t":1}');
    } finally {
      await client.endAsync();
    }
    await assert.rejects(
      mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { username: APP.username, password: 'wrong', reconnectPeriod: 0 }),
      /Bad username or password|Not authorized|bad user name/i,
    );
    await assert.rejects(startEmbeddedBroker(broker.port, auth()), /MQTT_EMBEDDED_PORT \d+ is in use/);
  } finally {
    await broker.close();
  }
  const probe = net.connect(broker.port, '127.0.0.1');
  const refused = await new Promise<boolean>((resolve) => {
    probe.once('error', () => resolve(true));
    probe.once('connect', () => resolve(false));
  });
  probe.destroy();
  assert.equal(refused, true, 'closed');
});
