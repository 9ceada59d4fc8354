/** AlertBook: the alert moves, the tally, the bounded history, dirty flags, loading a saved state and adopting shared records. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AlertBook, Bound, Dirty } from '../../nodes/threshold-alert/alert-book';
import { validateRules } from '../../nodes/threshold-alert/rules';

const [hot] = validateRules([{ id: 'hot', metric: 't', operator: '>', threshold: 25, severity: 'critical' }]);

function book(historyLimit = 10, maxAlerts = 10) {
  const drops: Array<[Bound, number]> = [];
  return { b: new AlertBook({ historyLimit, maxAlerts, idSuffix: '@x', onDrop: (bound, n) => drops.push([bound, n]) }), drops };
}

test('open, fire, acknowledge, finish: states, tally, history and ids', () => {
  const { b } = book();
  const a = b.open(hot, 'd1', 'ruuvi', 't', 30, 25, 1000)!;
  assert.match(a.id, /^hot:d1:.+@x$/);
  assert.deepEqual([a.state, a.title, a.text, a.startedAt], ['pending', 'hot on d1', 't 30 on d1: > 25', 1000]);
  assert.equal(b.get('hot', 'd1'), a);
  assert.equal(b.counts().pending, 1);
  const f = b.fire(a, hot, 2000);
  assert.deepEqual([f.event, f.alert.state, f.alert.firedAt, f.alert.since], ['fired', 'firing', 2000, 2000]);
  assert.notEqual(f.alert, a, 'the transition carries a copy');
  assert.deepEqual(b.counts(), { pending: 0, firing: 1, acknowledged: 0, resolved: 0, bySeverity: { info: 0, warning: 0, critical: 1 } });
  const k = b.acknowledge(a, 3000, 'ops', undefined);
  assert.deepEqual([k.alert.state, k.alert.acknowledgedBy, 'reason' in k.alert], ['acknowledged', 'ops', false]);
  const r = b.finish(a, 4000, 'system', 'value back to normal');
  assert.deepEqual([r.alert.state, r.alert.resolvedBy, r.reason], ['resolved', 'system', 'value back to normal']);
  assert.equal(b.size, 0);
  assert.deepEqual(b.counts().bySeverity.critical, 0);
  assert.deepEqual(
    b.recent().map((h) => [h.event, h.by ?? null]),
    [
      ['pending', null],
      ['fired', null],
      ['acknowledged', 'ops'],
      ['resolved', 'system'],
    ],
  );
  assert.deepEqual(b.byId(a.id), { past: true });
  assert.deepEqual(b.byId('other'), { past: false });
});

test('cancel removes a pending alert quietly; maxAlerts refuses and counts (unless told not to)', () => {
  const { b, drops } = book(10, 1);
  const a = b.open(hot, 'd1', 'ruuvi', 't', 30, 25, 0)!;
  assert.equal(b.open(hot, 'd2', 'ruuvi', 't', 30, 25, 0), undefined);
  assert.equal(b.open(hot, 'd3', 'ruuvi', 't', 30, 25, 0, false), undefined);
  assert.deepEqual(drops, [['maxAlerts', 1]]);
  b.cancel(a, 5);
  assert.equal(b.size, 0);
  assert.equal(b.recent().at(-1)?.event, 'cancelled');
  assert.equal(b.counts().pending, 0);
});

test('history keeps the last historyLimit entries and counts each one pushed out; dirty flags keep the highest', () => {
  const { b, drops } = book(10);
  for (let i = 0; i < 8; i++) b.cancel(b.open(hot, `d${i}`, 'x', 't', 30, 25, i)!, i);
  assert.equal(b.recent().length, 10);
  assert.equal(b.recent()[0].deviceId, 'd3');
  assert.equal(drops.filter(([k]) => k === 'historyLimit').length, 6);
  assert.equal(b.takeDirty(), Dirty.Urgent);
  assert.equal(b.takeDirty(), Dirty.None);
  b.mark(Dirty.Soft);
  b.mark(Dirty.None);
  assert.equal(b.takeDirty(), Dirty.Soft);
});

test('load keeps valid active alerts up to maxAlerts, counts the rest, and rebuilds the tally', () => {
  const { b, drops } = book(10, 2);
  const saved = (id: string, state: string) => ({ id, ruleId: 'hot', deviceId: id, state, severity: 'warning' });
  b.load([saved('a', 'firing'), saved('b', 'resolved'), { junk: true }, saved('c', 'pending'), saved('d', 'acknowledged')], [{ event: 'fired' }]);
  assert.equal(b.size, 2);
  assert.deepEqual(drops, [['maxAlerts', 1]]);
  assert.deepEqual([b.counts().firing, b.counts().pending, b.counts().bySeverity.warning], [1, 1, 2]);
  assert.equal(b.recent().length, 1);
  b.load('not a list', undefined);
  assert.equal(b.size, 0);
});

test('adopt and syncShared: the shared record replaces the local one, keeping local value; gone elsewhere means gone here', () => {
  const { b } = book();
  const local = b.fire(b.open(hot, 'd1', 'x', 't', 31, 25, 0)!, hot, 0).alert;
  b.takeDirty();
  const shared = { ...local, id: 'hot:d1:other', state: 'acknowledged' as const, acknowledgedBy: 'bob', value: 99, lastBadAt: 5 };
  b.adopt('hot', 'd1', shared);
  const now = b.get('hot', 'd1')!;
  assert.deepEqual([now.id, now.state, now.acknowledgedBy, now.value], ['hot:d1:other', 'acknowledged', 'bob', 31]);
  assert.equal(b.counts().acknowledged, 1);
  assert.equal(b.counts().firing, 0);
  assert.equal(b.takeDirty(), Dirty.Urgent);
  b.adopt('hot', 'd1', { ...shared });
  assert.equal(b.takeDirty(), Dirty.None, 'the same record again changes nothing');
  const pending = b.open(hot, 'd2', 'x', 't', 30, 25, 0)!;
  b.syncShared([], () => true);
  assert.equal(b.get('hot', 'd1'), undefined, 'resolved elsewhere');
  assert.equal(b.get('hot', 'd2'), pending, 'a local pending alert stays');
  b.syncShared(
    [
      { ...shared, deviceId: 'd3' },
      { ...shared, ruleId: 'gone', deviceId: 'd4' },
    ],
    (id) => id === 'hot',
  );
  assert.equal(b.get('hot', 'd3')?.state, 'acknowledged');
  assert.equal(b.get('gone', 'd4'), undefined, 'a rule this instance does not have is left out');
});
