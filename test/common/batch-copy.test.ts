/**
 * The plain-data copy of Reading batches that fan out (nodes/common/batch-copy.ts):
 * the same result as RED.util.cloneMessage, nothing shared, anything that is not
 * plain data left to Node-RED; the preRoute hook on the runtime's own hooks module.
 * Through a real runtime: test/payload-normalizer/batches.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copyPlainMessage, installBatchCopy, isMarkedBatch, markBatch } from '../../nodes/common/batch-copy';

const { hooks, util } = require('@node-red/util') as {
  hooks: {
    clear(): void;
    add(name: string, fn: (e: never) => void): void;
    has(name: string): boolean;
    trigger(name: string, e: unknown, done: (err?: unknown) => void): void;
  };
  util: { cloneMessage<T>(msg: T): T };
};

const batch = () => ({
  _msgid: 'm1',
  topic: 'readings',
  count: 2,
  payload: [
    { deviceId: 'a', sensorType: 'env', ts: 1, received: 2, metrics: { t: 20.5, h: 40 }, units: { t: '°C' }, tags: { room: 'x' } },
    {
      deviceId: 'b',
      sensorType: 'pir',
      ts: 3,
      received: 4,
      metrics: { motion: 1 },
      event: { id: 'e', type: 'motion', data: { zones: [1, [2, null]], n: undefined } },
    },
  ],
  nested: Object.assign(Object.create(null) as Record<string, unknown>, { k: 'v' }),
});

test('a plain copy equals RED.util.cloneMessage and shares no object with the original', () => {
  const msg = batch();
  const copy = copyPlainMessage(msg)!;
  assert.deepEqual(copy, util.cloneMessage(msg));
  assert.equal(Object.getPrototypeOf(copy.nested), Object.prototype, 'a null-prototype object becomes a plain one, as Node-RED copies it');
  const seen = new Set<object>();
  const walk = (v: unknown) => {
    if (v === null || typeof v !== 'object') return;
    seen.add(v);
    for (const x of Object.values(v)) walk(x);
  };
  walk(msg);
  const shared: unknown[] = [];
  const check = (v: unknown) => {
    if (v === null || typeof v !== 'object') return;
    if (seen.has(v)) shared.push(v);
    for (const x of Object.values(v)) check(x);
  };
  check(copy);
  assert.deepEqual(shared, [], 'no object of the original in the copy');
  (copy.payload as unknown as Array<{ metrics: Record<string, number> }>)[0].metrics.t = -1;
  assert.equal(msg.payload[0].metrics.t, 20.5);
});

test('what is not plain data is left to Node-RED (undefined); req and res are kept by reference', () => {
  class Thing {
    x = 1;
  }
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  let deep: Record<string, unknown> = {};
  const root = deep;
  for (let i = 0; i < 40; i++) deep = (deep.d = {}) as Record<string, unknown>;
  for (const payload of [Buffer.from('x'), new Date(0), new Thing(), () => 1, [Symbol('s')], cyclic, root, new Map()]) {
    assert.equal(copyPlainMessage({ payload }), undefined, `${Object.prototype.toString.call(payload)}`);
  }
  assert.equal(copyPlainMessage({ [Symbol('k')]: 1, payload: 1 }), undefined, 'a symbol key on the message');
  const req = { socket: {} };
  const copy = copyPlainMessage({ payload: [1], req, res: req })!;
  assert.equal(copy.req, req);
  assert.equal(copy.res, req);
});

test('the preRoute hook copies a marked batch that Node-RED would clone, marks the copy, and leaves everything else', () => {
  hooks.clear();
  try {
    assert.equal(installBatchCopy(hooks), true);
    assert.equal(installBatchCopy(hooks), true, 'a second module asking finds it installed');
    const run = (e: { msg: unknown; cloneMessage: boolean }) => {
      hooks.trigger('preRoute', e, (err: unknown) => assert.equal(err, undefined));
      return e;
    };
    const msg = markBatch(batch());
    const e = run({ msg, cloneMessage: true });
    assert.notEqual(e.msg, msg);
    assert.deepEqual(e.msg, util.cloneMessage(msg));
    assert.equal(e.cloneMessage, false, 'Node-RED does not clone it again');
    assert.ok(isMarkedBatch(e.msg), 'the copy may fan out again');
    const first = run({ msg, cloneMessage: false });
    assert.equal(first.msg, msg, 'the first destination gets the message itself');
    const plain = batch();
    assert.equal(run({ msg: plain, cloneMessage: true }).msg, plain, 'an unmarked message is Node-RED’s to clone');
    const odd = markBatch({ payload: new Date(0) });
    const left = run({ msg: odd, cloneMessage: true });
    assert.deepEqual([left.msg, left.cloneMessage], [odd, true], 'a marked message that is not plain data is cloned by Node-RED');
  } finally {
    hooks.clear();
  }
});
