/** thresholdVerdict and eventVerdict on their own: how one reading moves the alert of a rule in the book. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Reading } from '../../nodes/common/types';
import { AlertBook } from '../../nodes/threshold-alert/alert-book';
import type { Transition } from '../../nodes/threshold-alert/alert-record';
import { eventVerdict, thresholdVerdict } from '../../nodes/threshold-alert/evaluate';
import { EventRule, ThresholdRule, validateRules } from '../../nodes/threshold-alert/rules';

const book = (maxAlerts = 10) => new AlertBook({ historyLimit: 50, maxAlerts, idSuffix: '', onDrop: () => undefined });
const r: Reading = { deviceId: 'd', sensorType: 'ruuvi', ts: 0, metrics: {}, received: 0 };
const threshold = (extra: Record<string, unknown>) => validateRules([{ id: 'hot', metric: 't', operator: '>', threshold: 25, ...extra }])[0] as ThresholdRule;

test('no pending time: fires at once; back below the clear limit resolves; between limits keeps firing', () => {
  const b = book();
  const rule = threshold({ clear: 23 });
  const out: Transition[] = [];
  assert.equal(thresholdVerdict(b, rule, r, 20, 0, out), 'ok');
  assert.equal(thresholdVerdict(b, rule, r, 26, 1, out), 'firing');
  assert.equal(thresholdVerdict(b, rule, r, 24, 2, out), 'firing', 'hysteresis');
  assert.equal(thresholdVerdict(b, rule, r, 22, 3, out), 'resolved');
  assert.deepEqual(
    out.map((t) => t.event),
    ['fired', 'resolved'],
  );
  assert.equal(out[1].reason, 'value back to normal');
});

test('pending: fires once the condition held `for` seconds, cancels if it clears first', () => {
  const b = book();
  const rule = threshold({ for: 10 });
  const out: Transition[] = [];
  assert.equal(thresholdVerdict(b, rule, r, 30, 0, out), 'pending');
  assert.equal(thresholdVerdict(b, rule, r, 30, 9_999, out), 'pending');
  assert.equal(thresholdVerdict(b, rule, r, 20, 10_500, out), 'ok');
  assert.equal(b.size, 0, 'cancelled');
  thresholdVerdict(b, rule, r, 30, 20_000, out);
  assert.equal(thresholdVerdict(b, rule, r, 31, 30_000, out), 'firing');
  assert.equal(out.length, 1);
  assert.equal(b.get('hot', 'd')?.value, 31);
});

test('keepFiring: resolves only after the value stayed clear that long; a relapse restarts the count', () => {
  const b = book();
  const rule = threshold({ keepFiring: 10 });
  const out: Transition[] = [];
  thresholdVerdict(b, rule, r, 30, 0, out);
  assert.equal(thresholdVerdict(b, rule, r, 20, 1000, out), 'firing');
  assert.equal(b.get('hot', 'd')?.clearSince, 1000);
  thresholdVerdict(b, rule, r, 30, 5000, out);
  assert.equal(b.get('hot', 'd')?.clearSince, undefined);
  thresholdVerdict(b, rule, r, 20, 6000, out);
  assert.equal(thresholdVerdict(b, rule, r, 20, 15_999, out), 'firing');
  assert.equal(thresholdVerdict(b, rule, r, 20, 16_000, out), 'resolved');
});

test('maxAlerts reached: a bad value opens nothing', () => {
  const b = book(1);
  const out: Transition[] = [];
  thresholdVerdict(b, threshold({}), { ...r, deviceId: 'other' }, 30, 0, out);
  assert.equal(thresholdVerdict(b, threshold({}), r, 30, 0, out), 'ok');
  assert.equal(b.size, 1);
});

test('eventVerdict: fires at once, a repeat event keeps it alive without a new transition', () => {
  const b = book();
  const rule = validateRules([{ id: 'motion', kind: 'event', eventType: 'motion_detected' }])[0] as EventRule;
  const ev = { ...r, event: { id: 'e1', type: 'motion_detected' } };
  const out: Transition[] = [];
  assert.equal(eventVerdict(b, rule, ev, 100, out), 'firing');
  assert.equal(out[0].alert.metric, 'motion_detected');
  assert.equal(eventVerdict(b, rule, ev, 200, out), 'firing');
  assert.equal(out.length, 1);
  assert.equal(b.get('motion', 'd')?.lastBadAt, 200);
  assert.equal(eventVerdict(book(0), rule, ev, 0, []), 'ok', 'no room: nothing opened');
});
