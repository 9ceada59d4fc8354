/** validateAlert, repeatMark and alertEvent: what the notifier accepts as an Alert and which transition it announces. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alertEvent, repeatMark, validateAlert } from '../../nodes/alert-notifier/alert-input';
import { ValidationError } from '../../nodes/common/errors';
import { alert } from './fixtures';

const refused = (payload: unknown, field: string, re: RegExp): void => {
  assert.throws(
    () => validateAlert(payload),
    (e: unknown) => e instanceof ValidationError && e.field === field && re.test(e.message),
    JSON.stringify(payload),
  );
};

test('validateAlert keeps the contract fields and drops the producer bookkeeping', () => {
  const a = validateAlert({ ...alert(), lastNotifiedAt: 5, internal: { x: 1 } });
  assert.deepEqual(a, alert());
  assert.deepEqual(validateAlert({ ...alert(), threshold: [10, 20] }).threshold, [10, 20]);
});

test('validateAlert fills defaults for optional fields and nulls bad numbers', () => {
  const a = validateAlert({ id: 'x', ruleId: 'r', deviceId: 'd', severity: 'info', state: 'firing', since: 1, value: Number.NaN, threshold: [1, 'a'] });
  assert.equal(a.title, 'r on d');
  assert.equal(a.text, '');
  assert.equal(a.metric, '');
  assert.equal(a.value, null);
  assert.equal(a.threshold, null);
});

test('validateAlert names the bad field', () => {
  refused(null, 'payload', /must be an Alert object/);
  refused([alert()], 'payload', /must be an Alert object/);
  refused({ ...alert(), id: '' }, 'id', /payload\.id must be a non-empty string/);
  refused({ ...alert(), ruleId: 3 }, 'ruleId', /payload\.ruleId/);
  refused({ ...alert(), deviceId: undefined }, 'deviceId', /payload\.deviceId/);
  refused({ ...alert(), severity: 'fatal' }, 'severity', /one of info, warning, critical, got "fatal"/);
  refused({ ...alert(), state: 'open' }, 'state', /one of pending, firing, acknowledged, resolved, got "open"/);
  refused({ ...alert(), since: '2024' }, 'since', /epoch milliseconds/);
  refused({ ...alert(), since: Infinity }, 'since', /epoch milliseconds/);
});

test('repeatMark: msg.repeat first, then lastNotifiedAt, else undefined', () => {
  assert.equal(repeatMark(3, { lastNotifiedAt: 9 }), 3);
  assert.equal(repeatMark('r2', {}), 'r2');
  assert.equal(repeatMark('', { lastNotifiedAt: 9 }), 9);
  assert.equal(repeatMark(undefined, { lastNotifiedAt: Number.NaN }), undefined);
  assert.equal(repeatMark(undefined, 'not an object'), undefined);
});

test('alertEvent: a valid msg.event wins, else the state decides; pending announces nothing', () => {
  assert.equal(alertEvent('repeated', alert()), 'repeated');
  assert.equal(alertEvent(undefined, alert({ state: 'firing' })), 'fired');
  assert.equal(alertEvent(null, alert({ state: 'acknowledged' })), 'acknowledged');
  assert.equal(alertEvent('', alert({ state: 'resolved' })), 'resolved');
  assert.equal(alertEvent(undefined, alert({ state: 'pending' })), undefined);
  assert.throws(
    () => alertEvent('exploded', alert()),
    (e: unknown) => e instanceof ValidationError && e.field === 'event' && /got "exploded"/.test(e.message),
  );
});
