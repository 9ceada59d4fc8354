/** Alert texts and titles from a rule, and the output message of a transition. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describe, OFFLINE_METRIC, titleOf, transitionMessage } from '../../nodes/threshold-alert/alert-record';
import type { AlertRecord } from '../../nodes/threshold-alert/alert-record';
import { validateRules } from '../../nodes/threshold-alert/rules';

const rule = (r: Record<string, unknown>) => validateRules([r])[0];
const a = { deviceId: 'd1', value: 31 as number | null, metric: 'temperature', threshold: 30 as AlertRecord['threshold'] };

test('describe: threshold (with clear and range words), staleness (silence or offline), event', () => {
  assert.equal(describe(rule({ id: 'hot', metric: 'temperature', operator: '>', threshold: 30 }), a), 'temperature 31 on d1: > 30');
  assert.equal(
    describe(rule({ id: 'r', metric: 'temperature', operator: 'outside', threshold: [10, 30], clear: [12, 28] }), a),
    'temperature 31 on d1: outside [10, 30] (clears at [12, 28])',
  );
  assert.equal(describe(rule({ id: 'r', metric: 'temperature', operator: 'between', threshold: [30, 40] }), a), 'temperature 31 on d1: inside [30, 40]');
  assert.equal(describe(rule({ id: 's', kind: 'staleness', after: 60 }), { ...a, value: 75 }), 'no reading from d1 for 75 s (limit 60 s)');
  assert.equal(describe(rule({ id: 's', kind: 'staleness', after: 60, metric: 'battery' }), { ...a, value: 75 }), 'no battery from d1 for 75 s (limit 60 s)');
  assert.equal(describe(rule({ id: 's', kind: 'staleness', after: 60 }), { ...a, metric: OFFLINE_METRIC }), 'd1 reported offline (availability)');
  assert.equal(
    describe(rule({ id: 'm', kind: 'event', eventType: 'motion_detected', whileArmed: true }), { ...a, metric: 'motion_detected' }),
    'motion_detected on d1 while armed',
  );
  assert.equal(describe(rule({ id: 'm', kind: 'event', eventType: 'button_*' }), { ...a, metric: 'button_pressed' }), 'button_pressed on d1');
});

test('titleOf: the rule template filled, unknown placeholders kept; else "<name> on <device>"', () => {
  assert.equal(titleOf(rule({ id: 'hot', metric: 'temperature', operator: '>', threshold: 30 }), a), 'hot on d1');
  assert.equal(titleOf(rule({ id: 'hot', name: 'Too hot', metric: 'temperature', operator: '>', threshold: 30 }), a), 'Too hot on d1');
  const t = rule({
    id: 'hot',
    name: 'Hot',
    metric: 'temperature',
    operator: 'outside',
    threshold: [1, 2],
    title: '{rule}: {deviceId} {metric}={value} ({threshold}) {nope}',
  });
  assert.equal(titleOf(t, { ...a, threshold: [1, 2] }), 'Hot: d1 temperature=31 ([1, 2]) {nope}');
});

test('transitionMessage: topic from the state, event, and who/why only when given', () => {
  const alert = { state: 'acknowledged' } as AlertRecord;
  assert.deepEqual(transitionMessage({ event: 'acknowledged', alert, by: 'ops', reason: 'on it' }), {
    topic: 'alert/acknowledged',
    payload: alert,
    event: 'acknowledged',
    by: 'ops',
    reason: 'on it',
  });
  const plain = transitionMessage({ event: 'fired', alert: { ...alert, state: 'firing' } });
  assert.equal(plain.topic, 'alert/firing');
  assert.equal('by' in plain || 'reason' in plain, false);
});
