/**
 * payload-normalizer in node-red-node-test-helper: readings on output 1, rejects on
 * output 2 and in a Catch node, garbage that never stops the flow, duplicates counted.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import type { Counter } from 'prom-client';
import { healthSnapshot } from '../../nodes/common/health';
import { metrics } from '../../nodes/common/metrics';
import { collect, helper, load, nodeModule, REPO_ROOT, startServer, stopServer } from '../support/red';

const catchNode = require('@node-red/nodes/core/common/25-catch.js');
const nodes = [nodeModule('payload-normalizer'), catchNode];

before(startServer);
afterEach(() => helper.unload());
after(stopServer);

const flow = (props: Record<string, unknown> = {}) => [
  { id: 'tab', type: 'tab', label: 'normalizer' },
  { id: 'norm', type: 'payload-normalizer', z: 'tab', name: '', ...props, wires: [['ok'], ['rej']] },
  { id: 'catcher', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['caught']] },
  { id: 'ok', type: 'helper', z: 'tab' },
  { id: 'rej', type: 'helper', z: 'tab' },
  { id: 'caught', type: 'helper', z: 'tab' },
];

const SEED_MOTION =
  '{"event_id":"evt-1737123456-abc123","device_id":"raspberry-1","source":"PIR","type":"MOTION_DETECTED","data":{"gpio_pin":17,"state":"HIGH"},"timestamp":"2025-01-15T14:30:45.123456"}';

/** Counts messages a helper node receives, from now on. */
function counter(id: string): { count: () => number } {
  let n = 0;
  helper.getNode(id).on('input', () => n++);
  return { count: () => n };
}

async function until(cond: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function metricValue(metric: Counter<string>, labels: Record<string, string> = {}): Promise<number> {
  const { values } = await metric.get();
  return values.filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want)).reduce((s, v) => s + v.value, 0);
}

test('a seed payload as a Buffer becomes a Reading on output 1, topic kept', async () => {
  await load(nodes, flow());
  const got = collect('ok', 1);
  helper.getNode('norm').receive({ topic: 'sensor/motion', payload: Buffer.from(SEED_MOTION) });
  const [msg] = await got;
  assert.equal(msg.topic, 'sensor/motion');
  assert.deepEqual(msg.payload.metrics, { motion: 1 });
  assert.equal(msg.payload.deviceId, 'raspberry-1');
  assert.equal(msg.payload.ts, Date.UTC(2025, 0, 15, 14, 30, 45, 123));
  assert.deepEqual(msg.payload.event, { id: 'evt-1737123456-abc123', type: 'motion_detected', data: { gpio_pin: 17, state: 'HIGH' } });
  assert.ok(Math.abs(msg.payload.received - Date.now()) < 5000);
});

test('output 1 in batches: the Readings of the interval in one message, rejects still one by one on output 2', async () => {
  await load(nodes, flow({ readingsBatchMs: 100 }));
  const got = collect('ok', 1);
  const rejected = collect('rej', 1);
  const norm = helper.getNode('norm');
  norm.receive({ topic: 'sensor/motion', payload: Buffer.from(SEED_MOTION) });
  norm.receive({ topic: 'sensors/environmental', payload: '{"device_id":"ruuvi-1","temperature":21.5}' });
  norm.receive({ topic: 'sensors/environmental', payload: '{"cut' });
  const [batch] = await got;
  assert.equal(batch.topic, 'readings');
  assert.equal(batch.count, 2);
  assert.deepEqual(
    batch.payload.map((r: { deviceId: string }) => r.deviceId),
    ['raspberry-1', 'ruuvi-1'],
  );
  assert.equal(batch.payload[1].metrics.temperature, 21.5);
  const [rej] = await rejected;
  assert.equal(rej.reason, 'invalid_json');
});

test('an already parsed object (mqtt in with JSON output) is accepted', async () => {
  await load(nodes, flow());
  const got = collect('ok', 1);
  helper.getNode('norm').receive({
    topic: 'lifecompanion/sensors/ruuvi_001/environmental',
    payload: { device_id: 'ruuvi_001', timestamp: '2025-06-25T10:30:00Z', temperature: 22.5, humidity: 45.2, pressure: 1013.25, battery: 85 },
  });
  const [msg] = await got;
  assert.deepEqual(msg.payload.metrics, { temperature: 22.5, humidity: 45.2, pressure: 1013.25, battery: 85 });
  assert.equal(msg.payload.sensorType, 'environmental');
});

test('a reject goes to output 2 with msg.error {code, message} and reason, and reaches the Catch node', async () => {
  await load(nodes, flow());
  const rej = collect('rej', 1);
  const caught = collect('caught', 1);
  helper.getNode('norm').receive({ topic: 'sensors/d/climate', payload: '{"humidity": 120}' });
  const [[r], [c]] = await Promise.all([rej, caught]);
  assert.equal(r.reason, 'out_of_range');
  assert.equal(r.error.code, 'out_of_range');
  assert.match(r.error.message, /humidity=120 is outside 0\.\.100/);
  assert.equal(r.payload, '{"humidity": 120}', 'original payload kept');
  assert.match(c.error.message, /out_of_range: humidity=120/);
  assert.equal(c.error.source.id, 'norm');
  assert.equal(c.error.source.type, 'payload-normalizer');
});

test('catchRejects off: output 2 only, the Catch node stays quiet', async () => {
  await load(nodes, flow({ catchRejects: false }));
  const caught = counter('caught');
  const rej = collect('rej', 1);
  const ok = collect('ok', 1);
  const node = helper.getNode('norm');
  node.receive({ topic: 'sensors/d/climate', payload: 'not json' });
  node.receive({ topic: 'sensors/d/climate', payload: '{"temperature": 20}' });
  const [[r]] = await Promise.all([rej, ok]);
  assert.equal(r.error.code, 'invalid_json');
  await new Promise((res) => setTimeout(res, 300));
  assert.equal(caught.count(), 0);
});

test('garbage of every kind is rejected and the flow keeps running', async () => {
  await load(nodes, flow({ catchRejects: false }));
  const node = helper.getNode('norm');
  const garbage: unknown[] = [
    undefined,
    null,
    Buffer.from([0xde, 0xad, 0xbe, 0xef]),
    '{"a":',
    [1, 2],
    '',
    'NaN',
    { temperature: NaN },
    Buffer.alloc(1024 * 1024, 0x7b),
    `{"x":"${'y'.repeat(200000)}"}`,
    '"text"',
    { a: { b: { c: { d: { e: { f: { g: { h: { i: { j: 1 } } } } } } } } } },
  ];
  const rej = collect('rej', garbage.length, 10000);
  const ok = collect('ok', 1, 10000);
  for (const payload of garbage) node.receive({ topic: 'sensors/d/climate', payload });
  node.receive({ topic: 'sensors/d/climate', payload: '21.5' });
  const [rejected, [good]] = await Promise.all([rej, ok]);
  const codes = rejected.map((m) => m.error.code);
  assert.deepEqual(codes, [
    'empty_payload',
    'empty_payload',
    'invalid_json',
    'invalid_json',
    'unsupported_shape',
    'empty_payload',
    'not_finite',
    'not_finite',
    'too_large',
    'too_large',
    'unsupported_shape',
    'too_deep',
  ]);
  assert.deepEqual(good.payload.metrics, { climate: 21.5 });
});

test('a duplicate event is dropped, counted in the status and in iot_duplicates_dropped_total', async () => {
  const before = await metricValue(metrics.duplicatesDropped);
  const normalizedBefore = await metricValue(metrics.readingsNormalized, { decoder: 'event' });
  const receivedBefore = await metricValue(metrics.messagesReceived, { family: 'sensor' });
  await load(nodes, flow());
  const node = helper.getNode('norm');
  const statuses: Array<{ fill?: string; text?: string }> = [];
  node.on('call:status', (call: { args: [{ fill?: string; text?: string }] }) => statuses.push(call.args[0]));
  const okCount = counter('ok');
  const rejCount = counter('rej');
  for (let i = 0; i < 3; i++) node.receive({ topic: 'sensor/motion', payload: SEED_MOTION });
  await until(() => statuses.some((s) => /1 ok · 0 rejected · 2 dup/.test(s.text ?? '')), 5000, `status with 2 dup, got ${JSON.stringify(statuses)}`);
  assert.equal(okCount.count(), 1);
  assert.equal(rejCount.count(), 0);
  assert.equal(statuses.filter((s) => s.text).length, 1, 'status updated at most once a second');
  assert.equal(statuses.at(-1)?.fill, 'green');
  assert.deepEqual(healthSnapshot().norm?.figures, {
    ok: 1,
    rejected: 0,
    duplicates: 2,
    rateLimited: 0,
    ignored: 0,
    dropped_maxTagValues: 0,
    dropped_maxMeasurements: 0,
    discovery_learned: 0,
    dropped_discoveryMax: 0,
  });
  assert.equal((await metricValue(metrics.duplicatesDropped)) - before, 2);
  assert.equal((await metricValue(metrics.readingsNormalized, { decoder: 'event' })) - normalizedBefore, 1);
  assert.equal((await metricValue(metrics.messagesReceived, { family: 'sensor' })) - receivedBefore, 3);
});

test('rate limit drops and counts in iot_rate_limited_total{node="payload-normalizer"}', async () => {
  const before = await metricValue(metrics.rateLimited, { node: 'payload-normalizer' });
  await load(nodes, flow({ rateLimit: 2 }));
  const node = helper.getNode('norm');
  const ok = counter('ok');
  for (let i = 0; i < 10; i++) node.receive({ topic: 'sensors/flood/climate', payload: '{"temperature":20}' });
  await until(() => ok.count() >= 2);
  await helper.unload(); // close flushes the counters
  assert.ok(ok.count() <= 3, `passed ${ok.count()}`);
  assert.ok((await metricValue(metrics.rateLimited, { node: 'payload-normalizer' })) - before >= 7);
});

test('rejects are counted per reason, status turns yellow with the reason', async () => {
  const before = await metricValue(metrics.readingsRejected, { reason: 'no_device_id' });
  await load(nodes, flow({ catchRejects: false }));
  const node = helper.getNode('norm');
  const statuses: Array<{ fill?: string; text?: string }> = [];
  node.on('call:status', (call: { args: [{ fill?: string; text?: string }] }) => statuses.push(call.args[0]));
  node.receive({ topic: 'nowhere', payload: '{"temperature": 20}' });
  await until(() => statuses.some((s) => s.fill === 'yellow' && /1 rejected.*no_device_id/.test(s.text ?? '')), 5000, 'yellow status');
  assert.equal((await metricValue(metrics.readingsRejected, { reason: 'no_device_id' })) - before, 1);
});

test('a bad config shows a red status and every message fails into Catch', async () => {
  await load(nodes, flow({ timezone: 'Mars/Olympus' }));
  const node = helper.getNode('norm');
  const caught = collect('caught', 1);
  node.receive({ topic: 'sensors/d/climate', payload: '21' });
  const [c] = await caught;
  assert.match(c.error.message, /timezone "Mars\/Olympus"/);
  const health = healthSnapshot().norm;
  assert.equal(health?.ok, false);
  assert.match(health?.detail ?? '', /timezone/);
});

test('a bad dialog decoder stops the node: every message fails into Catch naming the entry and field; a good one decodes', async () => {
  await load(
    nodes,
    flow({
      decoders: JSON.stringify([
        { name: 'acme', topic: 'acme/{device}/{metric}' },
        { name: 'hub', topic: 'hub/+' },
      ]),
    }),
  );
  const caught = collect('caught', 2);
  helper.getNode('norm').receive({ topic: 'acme/d1/temperature', payload: '21' });
  helper.getNode('norm').receive({ topic: 'sensors/d/climate', payload: '21' });
  for (const c of await caught) assert.match(c.error.message, /decoders\[1\] "hub": give the device id/);
  helper.unload();
  await load(nodes, flow({ decoders: JSON.stringify([{ name: 'acme', topic: 'acme/{device}/{metric}', units: { power: 'W' } }]) }));
  const ok = collect('ok', 1);
  helper.getNode('norm').receive({ topic: 'acme/d1/power', payload: Buffer.from('12.5') });
  const [r] = await ok;
  assert.deepEqual([r.payload.deviceId, r.payload.metrics, r.payload.units], ['d1', { power: 12.5 }, { power: 'W' }]);
});

test('the editor file registers the type with four outputs and help', () => {
  const html = fs.readFileSync(path.join(REPO_ROOT, 'nodes', 'payload-normalizer', 'payload-normalizer.html'), 'utf8');
  assert.match(html, /registerType\('payload-normalizer'/);
  assert.match(html, /category: 'IoT engine'/);
  assert.match(html, /outputs: 4,/);
  assert.match(html, /outputLabels: \['reading', 'rejected', 'reading batches', 'events'\]/);
  const help = fs.readFileSync(path.join(REPO_ROOT, 'nodes', 'payload-normalizer', 'locales', 'en-US', 'payload-normalizer.html'), 'utf8');
  assert.match(help, /data-help-name="payload-normalizer"/);
  for (const section of ['Inputs', 'Outputs', 'Details']) assert.match(help, new RegExp(`<h3>${section}</h3>`));
  const dist = path.join(REPO_ROOT, 'dist', 'nodes', 'payload-normalizer', 'payload-normalizer.html');
  assert.ok(fs.existsSync(dist), 'the .html is copied into dist beside the .js');
});

test('a bound that folds is shown in the status and in the health figure dropped_<setting>', async () => {
  await load(nodes, flow({ tagKeys: 'note', maxTagValues: 2 }));
  const node = helper.getNode('norm');
  const statuses: Array<{ text?: string }> = [];
  node.on('call:status', (call: { args: [{ text?: string }] }) => statuses.push(call.args[0]));
  const got = collect('ok', 5);
  for (let i = 0; i < 5; i++) node.receive({ topic: 'sensors/d1/climate', payload: { temperature: 20, note: `n${i}` } });
  const readings = (await got).map((m) => m.payload.tags.note);
  assert.deepEqual(readings, ['n0', 'n1', 'other', 'other', 'other']);
  await until(() => healthSnapshot().norm?.figures?.dropped_maxTagValues === 3, 5000, `dropped_maxTagValues 3, got ${JSON.stringify(healthSnapshot().norm)}`);
  assert.match(statuses.at(-1)?.text ?? '', /3 folded/);
});

test('firmware messages: plain-text states become Readings, command echoes are ignored (no output 2, no Catch)', async () => {
  await load(nodes, flow());
  const node = helper.getNode('norm');
  const statuses: Array<{ fill?: string; text?: string }> = [];
  node.on('call:status', (call: { args: [{ fill?: string; text?: string }] }) => statuses.push(call.args[0]));
  const caught = counter('caught');
  const rejCount = counter('rej');
  const ok = collect('ok', 2);
  node.receive({ topic: 'zigbee2mqtt/bulb/set', payload: Buffer.from('{"state":"ON"}') });
  node.receive({ topic: 'cmnd/tasmota_switch/Power', payload: Buffer.from('TOGGLE') });
  node.receive({ topic: 'stat/tasmota_switch/POWER', payload: Buffer.from('ON') });
  node.receive({ topic: 'tele/tasmota_switch/LWT', payload: Buffer.from('Offline') });
  const [power, lwt] = await ok;
  assert.deepEqual([power.payload.deviceId, power.payload.metrics], ['tasmota_switch', { power: 1 }]);
  assert.deepEqual([lwt.payload.sensorType, lwt.payload.metrics, lwt.payload.tags], ['availability', { online: 0 }, { status: 'offline' }]);
  await until(
    () => statuses.some((s) => /2 ok · 0 rejected · 0 dup · 2 ignored/.test(s.text ?? '')),
    5000,
    `status with 2 ignored, got ${JSON.stringify(statuses)}`,
  );
  assert.equal(healthSnapshot().norm?.figures?.ignored, 2);
  assert.equal(rejCount.count(), 0);
  assert.equal(caught.count(), 0);
});
