/** PacedOutput: a storm of transitions handed on in order, in bounded bursts, one per event-loop turn. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PacedOutput } from '../../nodes/threshold-alert/paced-output';

test('PacedOutput hands a storm on in order, at most one burst per event-loop turn', async () => {
  const batches: number[][] = [];
  const out = new PacedOutput<number>(100, (b) => batches.push(b));
  out.push([1, 2, 3]);
  assert.deepEqual(batches, [[1, 2, 3]], 'a small batch goes at once');
  out.push(Array.from({ length: 1050 }, (_, i) => 10 + i));
  out.push([5000]);
  assert.equal(batches.length, 1, 'a storm waits for the next turn');
  await new Promise((r) => setImmediate(r));
  assert.equal(batches.length, 2, 'one burst per turn');
  while (out.waiting) await new Promise((r) => setImmediate(r));
  assert.ok(batches.every((b) => b.length <= 100));
  assert.deepEqual(batches.flat(), [1, 2, 3, ...Array.from({ length: 1050 }, (_, i) => 10 + i), 5000]);
});

test('clear drops what waits: nothing is delivered after the node closed', async () => {
  const batches: number[][] = [];
  const out = new PacedOutput<number>(2, (b) => batches.push(b));
  out.push([1, 2, 3, 4, 5]);
  assert.equal(out.waiting, 5);
  out.clear();
  assert.equal(out.waiting, 0);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(batches, []);
  out.push([6]);
  assert.deepEqual(batches, [[6]], 'usable again after clear');
});
