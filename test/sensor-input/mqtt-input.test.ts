/**
 * sensor-input in MQTT mode: payload decoding, topic filters and settings as
 * units; then against a real Mosquitto: delivery, a flood at QoS 1, a broker
 * restart, a subscription the broker refuses (aedes), and a persistent session.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, test } from 'node:test';
import mqtt from 'mqtt';
import { parseConfig, parseTopics } from '../../nodes/sensor-input/config';
import { brokerSource, BURST, clientIdFor, decodePayload, PARSE_LIMIT } from '../../nodes/sensor-input/mqtt-input';
import { filterError } from '../../nodes/common/topic';
import { healthSnapshot } from '../../nodes/common/health';
import { collect, helper, load, mosquittoSuite, nodeModule } from '../support/red';

const mqttNodes = require('@node-red/nodes/core/network/10-mqtt.js');
const sensorInput = nodeModule('sensor-input');

describe('decodePayload', () => {
  test('auto-detect: JSON values parsed, other text kept, binary and oversized left as Buffers', () => {
    assert.deepEqual(decodePayload(Buffer.from('{"t":21.5}'), 'auto-detect'), { t: 21.5 });
    assert.equal(decodePayload(Buffer.from(' 42 '), 'auto-detect'), 42);
    assert.equal(decodePayload(Buffer.from('true'), 'auto-detect'), true);
    assert.equal(decodePayload(Buffer.from('ON'), 'auto-detect'), 'ON');
    assert.equal(decodePayload(Buffer.from('{"cut'), 'auto-detect'), '{"cut');
    assert.equal(decodePayload(Buffer.from(''), 'auto-detect'), '');
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x80]);
    assert.equal(decodePayload(binary, 'auto-detect'), binary);
    const huge = Buffer.from(`{"a":"${'x'.repeat(PARSE_LIMIT)}"}`);
    assert.equal(decodePayload(huge, 'auto-detect'), huge);
  });

  test('utf8 gives text, buffer gives the bytes untouched', () => {
    assert.equal(decodePayload(Buffer.from('{"t":1}'), 'utf8'), '{"t":1}');
    const buf = Buffer.from('{"t":1}');
    assert.equal(decodePayload(buf, 'buffer'), buf);
  });
});

describe('topic filters and settings', () => {
  test('filterError accepts MQTT filters and names what is wrong with others', () => {
    for (const ok of ['sensors/#', '#', '+', 'devices/+/telemetry', 'a/b/c', '$SYS/#']) assert.equal(filterError(ok), undefined, ok);
    assert.match(filterError('sensors/#/x') as string, /# must be a whole last level/);
    assert.match(filterError('sensors/a#') as string, /# must be a whole last level/);
    assert.match(filterError('sensors/a+/x') as string, /\+ must be a whole level/);
    assert.equal(filterError(''), 'empty topic filter');
  });

  test('topics come one per line or comma-separated, trimmed and without repeats', () => {
    assert.deepEqual(parseTopics('sensors/#\n lifecompanion/sensors/# \r\n\nsensors/#, devices/+/telemetry'), [
      'sensors/#',
      'lifecompanion/sensors/#',
      'devices/+/telemetry',
    ]);
    assert.deepEqual(parseTopics(undefined), ['sensors/#']);
    assert.throws(() => parseTopics('\n ,'), /at least one topic filter/);
    assert.throws(
      () => parseTopics('ok/#\nbad/#/x'),
      (err: Error & { field?: string }) => /topics: "bad\/#\/x"/.test(err.message),
    );
  });

  test('MQTT mode needs a broker; QoS is 0, 1 or 2; older settings without the MQTT fields still load', () => {
    assert.throws(() => parseConfig({ mode: 'mqtt', topics: 'a/#' }), /needs a broker/);
    assert.throws(() => parseConfig({ mode: 'mqtt', broker: 'b', qos: 3 }), /qos must be a whole number from 0 to 2/);
    const cfg = parseConfig({ mode: 'mqtt', broker: 'b', topics: 'a/#\nb/+', qos: '0', datatype: 'buffer', persistent: true });
    assert.deepEqual([cfg.topics, cfg.qos, cfg.datatype, cfg.persistent], [['a/#', 'b/+'], 0, 'buffer', true]);
    const old = parseConfig({ mode: 'simulate', devices: 2 });
    assert.deepEqual([old.mode, old.qos, old.datatype, old.persistent], ['simulate', 1, 'auto-detect', false]);
  });

  test('brokerSource takes URL and options of an mqtt-broker node, not its client id or will', () => {
    const src = brokerSource({
      brokerurl: 'mqtts://b:8883',
      clientid: ' edge-1 ',
      options: { username: 'u', password: 'p', clientId: 'edge-1', will: { topic: 'x', payload: 'gone' }, keepalive: 30 },
    });
    assert.deepEqual(src, { url: 'mqtts://b:8883', clientIdBase: 'edge-1', options: { username: 'u', password: 'p', keepalive: 30 } });
    assert.throws(() => brokerSource(null), /not found/);
    assert.throws(() => brokerSource({ type: 'debug' }), /no broker URL/);
  });

  test('client ids: stable for a persistent session, unique otherwise, within 64 characters', () => {
    assert.equal(clientIdFor('edge-1', 'abc', true), 'edge-1-in-abc');
    assert.equal(clientIdFor('', 'abc', true), 'iot-engine-in-abc');
    assert.notEqual(clientIdFor('', 'abc', false), clientIdFor('', 'abc', false));
    assert.ok(clientIdFor('x'.repeat(80), 'abc', false).length <= 71);
  });
});

const { skip, broker } = mosquittoSuite();

const flow = (input: Record<string, unknown>, url = broker().url) => {
  const u = new URL(url);
  return [
    { id: 'tab', type: 'tab', label: 'mqtt' },
    {
      id: 'broker1',
      type: 'mqtt-broker',
      name: 'test',
      broker: u.hostname,
      port: u.port,
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
      broker: 'broker1',
      topics: 'a/#\nb/+/c',
      qos: '1',
      datatype: 'auto-detect',
      wires: [['out']],
      ...input,
    },
    { id: 'out', type: 'helper', z: 'tab' },
  ];
};

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const health = (id = 'in') => healthSnapshot()[id];
const subscribed = () => health()?.kind === 'mqtt-input' && health()?.ok === true && /subscribed/.test(health()?.detail ?? '');

test('delivers messages of every subscribed filter, as mqtt in does, and nothing else', { skip, timeout: 30_000 }, async () => {
  await load([mqttNodes, sensorInput], flow({}));
  await until('subscription', subscribed);
  const got = collect('out', 3, 10_000);
  const pub = await mqtt.connectAsync(broker().url);
  await pub.publishAsync('b/1/d', 'not subscribed', { qos: 1 });
  await pub.publishAsync('a/x', '{"temperature":21.5}', { qos: 1 });
  await pub.publishAsync('b/1/c', 'ON', { qos: 0 });
  await pub.publishAsync('a/bin', Buffer.from([0xff, 0x00]), { qos: 1, retain: true });
  const msgs = [...(await got)];
  await pub.publishAsync('a/bin', '', { qos: 1, retain: true }); // clear the retained message
  await pub.endAsync();
  const byTopic = Object.fromEntries(msgs.map((m) => [m.topic, m]));
  assert.deepEqual(Object.keys(byTopic).sort(), ['a/bin', 'a/x', 'b/1/c']);
  assert.deepEqual([byTopic['a/x'].payload, byTopic['a/x'].qos, byTopic['a/x'].retain], [{ temperature: 21.5 }, 1, false]);
  assert.deepEqual([byTopic['b/1/c'].payload, byTopic['b/1/c'].qos], ['ON', 0]);
  assert.ok(Buffer.isBuffer(byTopic['a/bin'].payload));
  assert.deepEqual([...byTopic['a/bin'].payload], [0xff, 0x00]);
});

test('a missing broker config node is a red status and a failing readiness, not a crash', { skip, timeout: 10_000 }, async () => {
  await load([mqttNodes, sensorInput], flow({ broker: 'gone' }));
  await until('health', () => health() !== undefined);
  assert.deepEqual([health().kind, health().ok], ['mqtt-input', false]);
  assert.match(health().detail, /settings: the broker config node was not found/);
});

test('a flood of 20,000 QoS 1 messages arrives exactly once each, in order', { skip, timeout: 60_000 }, async () => {
  await load([mqttNodes, sensorInput], flow({ topics: 'flood/#', datatype: 'buffer' }));
  await until('subscription', subscribed);
  const N = 20_000;
  const got = collect('out', N, 45_000);
  const pub = await mqtt.connectAsync(broker().url);
  await Promise.all(Array.from({ length: N }, (_, i) => pub.publishAsync(`flood/${i % 10}`, String(i), { qos: 1 })));
  const msgs = await got;
  await pub.endAsync();
  const seen = msgs.map((m) => Number(m.payload.toString()));
  assert.equal(new Set(seen).size, N);
  const last = new Map<string, number>();
  for (const m of msgs) {
    const n = Number(m.payload.toString());
    assert.ok(n > (last.get(m.topic) ?? -1), `${m.topic}: message ${n} after ${last.get(m.topic)}`);
    last.set(m.topic, n);
  }
  await until('status figures', () => (health()?.figures?.received ?? 0) >= N, 5000);
});

test('a flood is read in bursts: the event loop turns at least every BURST messages', { skip, timeout: 30_000 }, async () => {
  await load([mqttNodes, sensorInput], flow({ topics: 'burst/#', qos: '0', datatype: 'buffer' }));
  await until('subscription', subscribed);
  let sent = 0;
  helper.getNode('in').on('call:send', () => sent++);
  // Counts the node's sends between two turns of the event loop's check phase.
  let most = 0;
  let probing = true;
  const probe = (): void => {
    most = Math.max(most, sent);
    sent = 0;
    if (probing) setImmediate(probe);
  };
  setImmediate(probe);
  const N = 10_000;
  const got = collect('out', N, 20_000);
  const pub = await mqtt.connectAsync(broker().url);
  // One socket write carries thousands of messages: without bursts they would all be handled in one turn.
  pub.stream.cork();
  for (let i = 0; i < N; i++) pub.publish('burst/x', String(i), { qos: 0 });
  pub.stream.uncork();
  await got;
  probing = false;
  await pub.endAsync();
  assert.ok(most > 0 && most <= BURST, `at most ${BURST} messages a turn, saw ${most}`);
});

test('a broker restart shows red, fails readiness, and the node reconnects and subscribes again', { skip, timeout: 60_000 }, async () => {
  await load([mqttNodes, sensorInput], flow({}));
  await until('subscription', subscribed);
  const node = helper.getNode('in');
  const statuses: Array<{ fill?: string; text?: string }> = [];
  node.on('call:status', (call: { args: [{ fill?: string; text?: string }] }) => statuses.push(call.args[0]));
  await broker().stop();
  await until('red status', () => statuses.some((s) => s.fill === 'red' && /disconnected/.test(s.text ?? '')));
  await until('unhealthy', () => health()?.ok === false);
  assert.match(health().detail, /not connected/);
  await broker().restart();
  await until('subscribed again', subscribed, 20_000);
  const got = collect('out', 1, 10_000);
  const pub = await mqtt.connectAsync(broker().url);
  await pub.publishAsync('a/after', '1', { qos: 1 });
  assert.equal((await got)[0].topic, 'a/after');
  await pub.endAsync();
});

test('a subscription the broker refuses is an error and a red status, not silence', { skip, timeout: 30_000 }, async () => {
  // Mosquitto 2.0 grants every subscription and filters by ACL at delivery; aedes (the app's
  // embedded broker) and most others answer a refused filter with SUBACK 0x80.
  const aedes = require('aedes')();
  aedes.authorizeSubscribe = (_client: unknown, sub: { topic: string }, cb: (err: Error | null, sub: unknown) => void) =>
    cb(null, sub.topic.startsWith('secret/') ? null : sub);
  const server = net.createServer(aedes.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await load([mqttNodes, sensorInput], flow({ topics: 'allowed/#\nsecret/#' }, `mqtt://127.0.0.1:${(server.address() as net.AddressInfo).port}`));
    const errors: string[] = [];
    const statuses: Array<{ fill?: string; text?: string }> = [];
    helper.getNode('in').on('call:error', (call: { args: unknown[] }) => errors.push(String(call.args[0])));
    helper.getNode('in').on('call:status', (call: { args: [{ fill?: string; text?: string }] }) => statuses.push(call.args[0]));
    await until('refusal', () => health()?.ok === false && /refused secret\/#/.test(health()?.detail ?? ''));
    await until('error', () => errors.some((e) => /broker refused secret\/# \(not authorised\?\)/.test(e)));
    assert.ok(
      statuses.some((st) => st.fill === 'red' && /refused/.test(st.text ?? '')),
      JSON.stringify(statuses),
    );
  } finally {
    await helper.unload();
    await new Promise<void>((resolve) => aedes.close(() => server.close(() => resolve())));
  }
});

test('a persistent session gets the QoS 1 messages published while the node was stopped', { skip, timeout: 30_000 }, async () => {
  await load([mqttNodes, sensorInput], flow({ topics: 'kept/#', persistent: true }));
  await until('subscription', subscribed);
  const node = helper.getNode('in');
  node.receive({ payload: 'stop' });
  await until('stopped', () => health()?.detail === 'stopped');
  const pub = await mqtt.connectAsync(broker().url);
  for (let i = 0; i < 5; i++) await pub.publishAsync('kept/x', String(i), { qos: 1 });
  await pub.endAsync();
  const got = collect('out', 5, 10_000);
  node.receive({ payload: 'start' });
  assert.deepEqual(
    (await got).map((m) => m.payload),
    [0, 1, 2, 3, 4],
  );
});
