/** Error classes keep a stable name and their extra fields; errorMessage reads any thrown value. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorMessage, RemoteError, UnavailableError, ValidationError } from '../../nodes/common/errors';

test('each class has its own name and keeps its fields', () => {
  const v = new ValidationError('bad angle', 'angle');
  assert.deepEqual([v.name, v.message, v.field, v instanceof Error], ['ValidationError', 'bad angle', 'angle', true]);
  const r = new RemoteError('HTTP 503', 503, 2000);
  assert.deepEqual([r.name, r.statusCode, r.retryAfterMs], ['RemoteError', 503, 2000]);
  const u = new UnavailableError('no /sys/class/pwm');
  assert.deepEqual([u.name, u.message], ['UnavailableError', 'no /sys/class/pwm']);
  assert.match(String(v), /^ValidationError: bad angle$/, 'the name shows in logs');
});

test('errorMessage: an Error gives its message, anything else its string form', () => {
  assert.equal(errorMessage(new RemoteError('timeout')), 'timeout');
  assert.equal(errorMessage('plain text'), 'plain text');
  assert.equal(errorMessage(42), '42');
  assert.equal(errorMessage(undefined), 'undefined');
});
