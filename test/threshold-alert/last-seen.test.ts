import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Reading } from '../../nodes/common/types';
import { AVAILABILITY, availabilityOf, LastSeen } from '../../nodes/threshold-alert/last-seen';
import { RuleIndex } from '../../nodes/threshold-alert/rule-index';
import type { StalenessRule } from '../../nodes/threshold-alert/rules';

const S = 1000;
const reading = (deviceId: string, sensorType: string, metrics: Record<string, number>, event = false): Reading => ({
  deviceId,
  sensorType,
  ts: 0,
  received: 0,
  metrics,
  ...(event ? { event: { id: 'e', type: 'motion_detected' } } : {}),
});
const stale = (r: Partial<StalenessRule>): StalenessRule =>
  ({ id: 'r', kind: 'staleness', severity: 'warning', enabled: true, repeat: 0, after: 60, ...r }) as StalenessRule;
const rules = (...r: StalenessRule[]) => new RuleIndex(r).staleness;
const silentIds = (ls: LastSeen, rs: ReturnType<typeof rules>, now: number): string[] => [...ls.silent(rs, now)].map((s) => `${s.rule.id}:${s.deviceId}`);

test('availabilityOf: 1 or 0 for an availability reading, undefined otherwise', () => {
  assert.equal(availabilityOf(reading('d', AVAILABILITY, { online: 1 })), 1);
  assert.equal(availabilityOf(reading('d', AVAILABILITY, { online: 0 })), 0);
  assert.equal(availabilityOf(reading('d', AVAILABILITY, { online: 2 })), undefined);
  assert.equal(availabilityOf(reading('d', 'env', { online: 1 })), undefined);
});

test('last seen: a periodic device is silent past the rule, an event-only one only by a rule naming its type', () => {
  const ls = new LastSeen(0);
  ls.touch(reading('env1', 'env', { temperature: 20 }), 0, new Set());
  ls.touch(reading('pir1', 'pir', { motion: 1 }, true), 0, new Set());
  const any = rules(stale({ id: 'any' }));
  assert.deepEqual(silentIds(ls, any, 59 * S), []);
  assert.deepEqual(silentIds(ls, any, 61 * S), ['any:env1']);
  assert.deepEqual(silentIds(ls, rules(stale({ id: 'pir', sensorType: 'pir' })), 61 * S), ['pir:pir1']);
  ls.touch(reading('env1', 'env', { temperature: 21 }), 61 * S, new Set());
  assert.deepEqual(silentIds(ls, any, 62 * S), [], 'reported again');
});

test('last seen: silence counts from the start, a watched metric from its last reading', () => {
  const ls = new LastSeen(100 * S);
  ls.touch(reading('d', 'env', { temperature: 20 }), 0, new Set(['battery']));
  assert.deepEqual(silentIds(ls, rules(stale({ id: 'any' })), 120 * S), [], 'restarted at 100 s: not stale yet');
  assert.deepEqual(silentIds(ls, rules(stale({ id: 'any' })), 161 * S), ['any:d']);
  assert.deepEqual(silentIds(ls, rules(stale({ id: 'bat', metric: 'battery' })), 1000 * S), [], 'never carried the metric');
});

test('last seen: an offline announcement is judged by the rule for, and is not a sign of life', () => {
  const ls = new LastSeen(0);
  ls.touch(reading('z', 'env', { temperature: 20 }), 0, new Set());
  ls.touch(reading('z', AVAILABILITY, { online: 0 }), 10 * S, new Set());
  const r = rules(stale({ id: 'off', for: 30 }));
  assert.deepEqual([...ls.silentDevice('z', r, 20 * S)], []);
  const [s] = [...ls.silentDevice('z', r, 40 * S)];
  assert.deepEqual([s.offline, s.last, s.sensorType], [true, 10 * S, 'env']);
  ls.touch(reading('z', AVAILABILITY, { online: 1 }), 50 * S, new Set());
  assert.deepEqual(silentIds(ls, r, 500 * S), [], 'online by availability: silence alone does not count');
  assert.deepEqual([...ls.silentDevice('unknown', r, 500 * S)], []);
});

test('last seen: the bound refuses newcomers; learn, heardAt, forget; load keeps the most recent', () => {
  const ls = new LastSeen(0, 2);
  assert.equal(ls.touch(reading('a', 'env', { t: 1 }), 0, new Set()), true);
  ls.learn('b', 5 * S, 'env', true);
  assert.equal(ls.touch(reading('c', 'env', { t: 1 }), 0, new Set()), false);
  assert.equal(ls.size, 2);
  ls.heardAt('a', 50 * S);
  assert.deepEqual(ls.toJSON().a, { at: 50 * S, types: { env: 50 * S }, periodic: true });
  ls.forget('a');
  assert.deepEqual(Object.keys(ls.toJSON()), ['b']);
  const other = new LastSeen(0, 2);
  const dropped = other.load({ old: { at: 1, types: {} }, mid: { at: 2, types: {} }, new: { at: 3, types: {} }, bad: { at: 'x' } as never });
  assert.equal(dropped, 1);
  assert.deepEqual(Object.keys(other.toJSON()).sort(), ['mid', 'new']);
});

test('last seen: shared() gives every device as another instance learns it back', () => {
  const ls = new LastSeen(0);
  ls.touch(reading('p', 'env', { t: 1 }), 5 * S, new Set());
  ls.touch(reading('e', 'pir', { motion: 1 }, true), 7 * S, new Set());
  assert.deepEqual(Object.fromEntries(ls.shared()), {
    p: { at: 5 * S, sensorType: 'env', periodic: true },
    e: { at: 7 * S, sensorType: 'pir', periodic: false },
  });
  const other = new LastSeen(0);
  for (const [id, s] of ls.shared()) other.learn(id, s.at, s.sensorType, s.periodic);
  const r = rules(stale({ after: 1 }));
  assert.deepEqual(silentIds(other, r, 10 * S), silentIds(ls, r, 10 * S), 'judged the same on the instance that learned them');
});
