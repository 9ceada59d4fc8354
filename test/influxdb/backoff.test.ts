import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelay, parseRetryAfter } from '../../nodes/influxdb-writer/backoff';
import { classify } from '../../nodes/influxdb-writer/http-write';

test('backoff doubles up to the maximum, with jitter in [d/2, d]', () => {
  const o = { baseMs: 100, maxMs: 1000 };
  assert.equal(backoffDelay(1, o, undefined, () => 1), 100);
  assert.equal(backoffDelay(3, o, undefined, () => 1), 400);
  assert.equal(backoffDelay(3, o, undefined, () => 0), 200);
  assert.equal(backoffDelay(20, o, undefined, () => 1), 1000);
});

test('Retry-After wins when longer, capped at 10x max', () => {
  const o = { baseMs: 100, maxMs: 1000 };
  assert.equal(backoffDelay(1, o, 5000, () => 1), 5000);
  assert.equal(backoffDelay(1, o, 50, () => 1), 100);
  assert.equal(backoffDelay(1, o, 999_999, () => 1), 10_000);
});

test('Retry-After as seconds or HTTP date', () => {
  assert.equal(parseRetryAfter('7'), 7000);
  assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4000), 6000);
  assert.equal(parseRetryAfter('soon'), undefined);
  assert.equal(parseRetryAfter(null), undefined);
});

test('status codes are classified into ok, retry, split and bad data', () => {
  assert.equal(classify(204, '').kind, 'ok');
  for (const s of [500, 503, 429, 408, 401, 403, 404]) assert.equal(classify(s, 'x').kind, 'retry', String(s));
  assert.deepEqual(classify(429, 'slow down', '3'), { kind: 'retry', status: 429, message: 'HTTP 429: slow down', retryAfterMs: 3000 });
  assert.equal(classify(413, 'big').kind, 'tooLarge');
  assert.deepEqual(classify(400, 'partial write'), { kind: 'badData', status: 400, message: 'partial write' });
  assert.equal(classify(422, 'x').kind, 'badData');
});
