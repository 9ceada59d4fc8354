/**
 * The normalizer's outputs 3 (Reading batches) and 4 (Readings with an event):
 * batches.ts on its own, then the node in the test helper.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { Batches, copyReading } from '../../nodes/payload-normalizer/batches';
import { isMarkedBatch } from '../../nodes/common/batch-copy';
import type { Reading } from '../../nodes/common/types';
import { collect, helper, load, nodeModule, startServer, stopServer } from '../support/red';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('Batches hands out what waited after the interval, or at once when full, in order', async () => {
  const out: number[][] = [];
  const b = new Batches<number>(50, 3, (items) => out.push(items));
  b.push(1);
  b.push(2);
  assert.deepEqual(out, [], 'nothing before the interval');
  b.push(3);
  assert.deepEqual(out, [[1, 2, 3]], 'a full batch goes out at once');
  b.push(4);
  await sleep(120);
  assert.deepEqual(out, [[1, 2, 3], [4]]);
  b.flush();
  assert.equal(out.length, 2, 'an empty flush sends nothing');
  b.push(5);
  b.flush();
  assert.deepEqual(out.at(-1), [5]);
  assert.equal(b.waiting, 0);
});

test('copyReading shares nothing a consumer could change', () => {
  const r: Reading = {
    deviceId: 'd',
    sensorType: 's',
    ts: 1,
    received: 2,
    metrics: { t: 1 },
    units: { t: '°C' },
    tags: { room: 'a' },
    event: { id: 'e', type: 'motion_detected', data: { pin: { n: 17 } } },
  };
  const c = copyReading(r);
  assert.deepEqual(c, r);
  c.metrics.t = 9;
  c.units!.t = 'K';
  c.tags!.room = 'b';
  (c.event!.data!.pin as { n: number }).n = 1;
  assert.deepEqual([r.metrics.t, r.units!.t, r.tags!.room, (r.event!.data!.pin as { n: number }).n], [1, '°C', 'a', 17]);
  assert.deepEqual(Object.keys(copyReading({ deviceId: 'd', sensorType: 's', ts: 1, received: 1, metrics: {} })).sort(), [
    'deviceId',
    'metrics',
    'received',
    'sensorType',
    'ts',
  ]);
});

const nodes = [nodeModule('payload-normalizer')];
before(startServer);
afterEach(() => helper.unload());
after(stopServer);

const flow = (props: Record<string, unknown>, wires: string[][]) => [
  { id: 'tab', type: 'tab', label: 'batches' },
  { id: 'norm', type: 'payload-normalizer', z: 'tab', ...props, wires },
  ...['ok', 'rej', 'batch', 'events'].map((id) => ({ id, type: 'helper', z: 'tab' })),
];

test('output 3: the Readings of the interval in one message, copies of output 1; output 4: each Reading with an event, topic kept', async () => {
  await load(nodes, flow({ batchMs: 100, batchMax: 1000 }, [['ok'], ['rej'], ['batch'], ['events']]));
  const norm = helper.getNode('norm');
  const ok = collect('ok', 3);
  const batch = collect('batch', 1);
  const events = collect('events', 1);
  // Output 1's message is edited by a downstream node before the batch goes out: the batch keeps what the normalizer made.
  helper.getNode('ok').on('input', (m: any) => {
    m.payload.metrics.temperature = -1;
  });
  norm.receive({ topic: 'sensors/d1/climate', payload: { temperature: 20 } });
  norm.receive({ topic: 'sensors/d2/climate', payload: 'not json' });
  norm.receive({ topic: 'sensor/motion', payload: '{"event_id":"evt-1","device_id":"pi-1","type":"MOTION_DETECTED","timestamp":"2025-01-15T14:30:45Z"}' });
  norm.receive({ topic: 'sensors/d3/climate', payload: { humidity: 40 } });
  const [b] = await batch;
  assert.equal(b.topic, 'readings');
  assert.equal(b.count, 3);
  assert.deepEqual(
    b.payload.map((r: Reading) => r.deviceId),
    ['d1', 'pi-1', 'd3'],
    'every Reading of output 1, in order; no reject',
  );
  assert.equal(b.payload[0].metrics.temperature, 20);
  assert.equal((await ok).length, 3);
  const [e] = await events;
  assert.deepEqual([e.topic, e.payload.deviceId, e.payload.event.type], ['sensor/motion', 'pi-1', 'motion_detected']);
});

test('output 3 wired to two nodes: each gets its own copy of the batch (common/batch-copy.ts), as with any fan-out', async () => {
  await load(nodes, [
    { id: 'tab', type: 'tab', label: 'fan-out' },
    { id: 'norm', type: 'payload-normalizer', z: 'tab', batchMs: 50, batchMax: 1000, wires: [[], [], ['b1', 'b2']] },
    { id: 'b1', type: 'helper', z: 'tab' },
    { id: 'b2', type: 'helper', z: 'tab' },
  ]);
  const got: any[] = [];
  // The first to get it changes it at once, as a user's function node may.
  const take = (m: any) => {
    if (!got.length) m.payload[0].metrics.temperature = -1;
    got.push(m);
  };
  helper.getNode('b1').on('input', take);
  helper.getNode('b2').on('input', take);
  helper.getNode('norm').receive({ topic: 'sensors/d1/climate', payload: { temperature: 20 } });
  for (let i = 0; i < 50 && got.length < 2; i++) await sleep(20);
  assert.equal(got.length, 2);
  assert.notEqual(got[0], got[1]);
  assert.notEqual(got[0].payload, got[1].payload);
  assert.equal(got[1].payload[0].metrics.temperature, 20, 'the other copy is untouched');
  assert.deepEqual(got[1].payload[0].deviceId, 'd1');
  assert.ok(isMarkedBatch(got[1]), 'the second copy was made by the plain-data copy, not lodash');
});

test('outputs 3 and 4 unwired, or batchMs 0: nothing is batched', async () => {
  await load(nodes, flow({ batchMs: 0 }, [['ok'], ['rej'], ['batch'], []]));
  let batches = 0;
  helper.getNode('batch').on('input', () => batches++);
  const ok = collect('ok', 2);
  helper.getNode('norm').receive({ topic: 'sensors/d1/climate', payload: { temperature: 20 } });
  helper.getNode('norm').receive({ topic: 'sensor/motion', payload: '{"event_id":"evt-2","device_id":"pi-1","type":"MOTION_DETECTED"}' });
  await ok;
  await sleep(400);
  assert.equal(batches, 0);
});
