/** Rate limit per key with a digest of what was held back. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DigestWindow } from '../../nodes/alert-notifier/digest-window';

const s = (n: number, at = 0) => ({ alertId: `a${n}`, deviceId: `d${n}`, event: 'fired', severity: 'warning', title: `t${n}`, at });

test('allows max per window per key, holds the rest, and hands out one digest when the window ends', () => {
  const rl = new DigestWindow(2, 1000);
  assert.equal(rl.take('r1|email', s(1), 0), true);
  assert.equal(rl.take('r1|email', s(2), 100), true);
  assert.equal(rl.take('r1|email', s(3), 200), false);
  assert.equal(rl.take('r1|email', s(4), 300), false);
  assert.equal(rl.take('r1|webhook', s(5), 300), true, 'other channel has its own budget');
  assert.equal(rl.take('r2|email', s(6), 300), true, 'other rule has its own budget');
  assert.equal(rl.nextDue(), 1000);
  assert.deepEqual(rl.due(999), []);
  const [d, ...rest] = rl.due(1000);
  assert.equal(rest.length, 0);
  assert.equal(d.key, 'r1|email');
  assert.equal(d.count, 2);
  assert.deepEqual(
    d.held.map((h) => h.alertId),
    ['a3', 'a4'],
  );
  assert.equal(d.windowStart, 0);
  assert.equal(d.windowEnd, 1000);
  assert.deepEqual(rl.due(5000), [], 'a digest is handed out once');
  assert.equal(rl.take('r1|email', s(7), 5000), true, 'a new window starts');
});

test('a take after the window ended rolls it: the digest is ready and the new one is counted', () => {
  const rl = new DigestWindow(1, 1000);
  rl.take('k', s(1), 0);
  rl.take('k', s(2), 10);
  assert.equal(rl.take('k', s(3), 1500), true);
  const ds = rl.due(1500);
  assert.equal(ds.length, 1);
  assert.equal(ds[0].count, 1);
});

test('flushAll hands out held notifications of open windows (close must not lose them)', () => {
  const rl = new DigestWindow(1, 60_000);
  rl.take('k', s(1), 0);
  rl.take('k', s(2), 10);
  const ds = rl.flushAll(20);
  assert.equal(ds.length, 1);
  assert.equal(ds[0].windowEnd, 20);
  assert.equal(rl.nextDue(), undefined);
});

test('max 0 means no limit; detail is capped but the count is exact', () => {
  const off = new DigestWindow(0, 1000);
  for (let i = 0; i < 100; i++) assert.equal(off.take('k', s(i), i), true);
  const rl = new DigestWindow(1, 1000);
  for (let i = 0; i < 301; i++) rl.take('k', s(i), 0);
  const [d] = rl.due(1000);
  assert.equal(d.count, 300);
  assert.equal(d.held.length, 200);
});
