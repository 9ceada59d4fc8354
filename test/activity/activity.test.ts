/**
 * activity-classifier in the Node-RED test helper: a batch passes through with
 * the derived Readings appended, output 2 carries them alone, single Readings
 * work, and bad input reaches a Catch node without stopping the node.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { helper, load, nodeModule, startServer, stopServer } from '../support/red';
import { healthSnapshot } from '../../nodes/common/health';
import type { Reading } from '../../nodes/common/types';

const catchNode = require('@node-red/nodes/core/common/25-catch.js');
const nodes = [nodeModule('activity'), catchNode];

const flow = (extra: Record<string, unknown> = {}): unknown[] => [
  { id: 'tab', type: 'tab', label: 'activity' },
  { id: 'act', z: 'tab', type: 'activity-classifier', name: 'activity', ...extra, wires: [['passed'], ['derived']] },
  { id: 'passed', z: 'tab', type: 'helper' },
  { id: 'derived', z: 'tab', type: 'helper' },
  { id: 'catcher', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
  { id: 'caught', z: 'tab', type: 'helper' },
];

function record(id: string): any[] {
  const got: any[] = [];
  helper.getNode(id).on('input', (m: unknown) => got.push(m));
  return got;
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sample = (ts: number, x: number, y: number, z: number, deviceId = 'accel_001'): Reading => ({
  deviceId,
  sensorType: 'activity',
  ts,
  metrics: { x, y, z },
  received: ts,
});

/** Standing still 10 s, an impact, then lying on the side 8 s, at 2 Hz. */
function fallSamples(t0: number): Reading[] {
  const out: Reading[] = [];
  let t = t0;
  for (; t < t0 + 10_000; t += 500) out.push(sample(t, 0.1, 0.1, 9.8));
  out.push(sample(t, 20, 25, 15));
  t += 500;
  for (const end = t + 8000; t < end; t += 500) out.push(sample(t, 9.8, 0.05, 0.3));
  return out;
}

before(startServer);
after(stopServer);
afterEach(() => helper.unload());

test('a batch passes on with activity and fall Readings appended; output 2 has them alone', async () => {
  await load(nodes, flow());
  const passed = record('passed');
  const derived = record('derived');
  const caught = record('caught');
  const other: Reading = { deviceId: 'ruuvi_1', sensorType: 'environment', ts: 1, metrics: { temperature: 21 }, received: 1 };
  const batch = [other, ...fallSamples(Date.UTC(2026, 0, 1))];
  const n = batch.length;
  helper.getNode('act').receive({ topic: 'readings', payload: batch, count: n });
  await wait(200);
  assert.equal(caught.length, 0, JSON.stringify(caught.map((m) => m.error)));
  assert.equal(passed.length, 1);
  const out = passed[0].payload as Reading[];
  assert.equal(passed[0].count, out.length);
  assert.equal(out[0].deviceId, 'ruuvi_1', 'the input is kept, in order');
  const added = out.slice(n);
  assert.ok(
    added.some((r) => r.event?.type === 'fall'),
    'a fall event',
  );
  assert.ok(
    added.some((r) => r.tags?.activity_name === 'stationary'),
    'an activity Reading',
  );
  assert.equal(derived.length, 1);
  assert.deepEqual(derived[0].payload, added);
});

test('a single Reading is followed by its derived Readings as messages of their own', async () => {
  await load(nodes, flow({ emitSeconds: 0 }));
  const passed = record('passed');
  for (const r of fallSamples(Date.UTC(2026, 0, 1))) helper.getNode('act').receive({ topic: 'lifecompanion/sensors/accel_001/activity', payload: r });
  await wait(200);
  const readings = passed.filter((m) => m.payload.sensorType === 'activity').length;
  const extra = passed.filter((m) => m.payload.sensorType === 'activity_state');
  assert.equal(readings, 37);
  assert.deepEqual(
    extra.map((m) => m.payload.event?.type ?? m.payload.tags.activity_name),
    ['stationary', 'fall'],
  );
});

test('bad input goes to Catch with the item named; the node keeps working', async () => {
  await load(nodes, flow());
  const caught = record('caught');
  const passed = record('passed');
  const act = helper.getNode('act');
  act.receive({ payload: 'not a reading' });
  act.receive({ payload: [sample(1000, 0, 0, 9.8), { deviceId: 'x' }, { ...sample(2000, 0, 0, 9.8), metrics: { x: 1 } }] });
  await wait(100);
  assert.equal(caught.length, 2);
  assert.match(caught[0].error.message, /1 of 1 items refused: payload is not a Reading/);
  assert.match(
    caught[1].error.message,
    /2 of 3 items refused: payload\[1\] is not a Reading; payload\[2\]: accelerometer Reading of accel_001 needs finite metrics x, y and z/,
  );
  assert.equal(passed.length, 1, 'the batch still passes on');
});

test('invalid settings: every input fails with the reason, nothing crashes', async () => {
  await load(nodes, flow({ walkStd: 5, runStd: 1 }));
  const caught = record('caught');
  helper.getNode('act').receive({ payload: sample(1, 0, 0, 9.8) });
  await wait(100);
  assert.equal(caught.length, 1);
  assert.match(caught[0].error.message, /runStd must be above walkStd/);
  const health = healthSnapshot().act;
  assert.equal(health?.ok, false);
  assert.match(health?.detail ?? '', /^config: .*runStd must be above walkStd/);
  await helper.unload();
  assert.equal(healthSnapshot().act, undefined, 'health cleared when the node closes');
});
