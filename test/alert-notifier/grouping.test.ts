/** AlertGrouper on its own: group wait, follow-ups per interval, closing, list bound, duplicates. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AlertGrouper } from '../../nodes/alert-notifier/grouping';
import { alert } from './fixtures';

const member = (i: number, at = 0) => ({ key: `k${i}`, alert: alert({ id: `a${i}`, deviceId: `dev-${i}` }), at });

test('alerts of one rule and transition that start together come out as one batch after the wait', () => {
  const g = new AlertGrouper(1000, 5000, 100);
  for (let i = 0; i < 3; i++) assert.equal(g.add('silent', 'fired', member(i), i * 10), true);
  assert.equal(g.add('hot', 'fired', member(9), 20), true, 'another rule: its own group');
  assert.equal(g.nextDue(), 1000);
  assert.deepEqual(g.due(999), []);
  const batches = g.due(1000);
  assert.deepEqual(
    batches.map((b) => [b.ruleId, b.event, b.count, b.seq, b.openedAt]),
    [['silent', 'fired', 3, 0, 0]],
  );
  assert.deepEqual(
    batches[0].members.map((m) => m.alert.deviceId),
    ['dev-0', 'dev-1', 'dev-2'],
  );
  assert.deepEqual(
    g.due(1020).map((b) => [b.ruleId, b.count]),
    [['hot', 1]],
  );
  assert.equal(g.waiting, 0);
});

test('later additions go out in follow-ups at most once per interval; a quiet group closes', () => {
  const g = new AlertGrouper(1000, 5000, 100);
  g.add('silent', 'fired', member(0), 0);
  assert.equal(g.due(1000)[0].seq, 0);
  g.add('silent', 'fired', member(1), 1500);
  g.add('silent', 'fired', member(2), 2000);
  assert.equal(g.nextDue(), 6000, 'the follow-up waits for the group interval, not the group wait');
  assert.deepEqual(g.due(5999), []);
  const follow = g.due(6000);
  assert.deepEqual(
    follow.map((b) => [b.seq, b.count, b.openedAt]),
    [[1, 2, 0]],
  );
  assert.deepEqual(g.due(11_000), [], 'nothing new for an interval: the group closes');
  g.add('silent', 'fired', member(3), 11_500);
  assert.equal(g.nextDue(), 12_500, 'a new group waits the group wait again');
  assert.deepEqual(
    g.due(12_500).map((b) => [b.seq, b.count, b.openedAt]),
    [[0, 1, 11_500]],
  );
});

test('transitions group apart, the list is bounded but the count is not, duplicates count once', () => {
  const g = new AlertGrouper(100, 1000, 2);
  for (let i = 0; i < 5; i++) g.add('silent', 'fired', member(i), 0);
  assert.equal(g.add('silent', 'fired', member(0), 1), false, 'the same transition again');
  g.add('silent', 'resolved', member(7), 2);
  assert.equal(g.waiting, 6);
  const out = g.due(200);
  assert.deepEqual(
    out.map((b) => [b.event, b.count, b.members.length]),
    [
      ['fired', 5, 2],
      ['resolved', 1, 1],
    ],
  );
});

test('flushAll hands out everything waiting', () => {
  const g = new AlertGrouper(60_000, 60_000, 10);
  g.add('a', 'fired', member(0), 0);
  g.add('b', 'resolved', member(1), 0);
  assert.deepEqual(
    g.flushAll(5).map((b) => [b.ruleId, b.count]),
    [
      ['a', 1],
      ['b', 1],
    ],
  );
  assert.equal(g.nextDue(), undefined);
});
