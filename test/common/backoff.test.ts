/** The one backoff: growth, cap, jitter bounds, Retry-After. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, BACKOFF_DEFAULTS, parseRetryAfter } from '../../nodes/common/backoff';

const opts = { initialMs: 1000, maxMs: 30_000, factor: 2, jitter: 0.5 };

test('without randomness the delay doubles up to the cap', () => {
  const d = [1, 2, 3, 4, 5, 6, 7, 100, 10_000].map((n) => backoffDelay(n, opts, () => 0));
  assert.deepEqual(d, [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000]);
});

test('jitter keeps every delay within [(1-jitter)·d, d]', () => {
  for (let attempt = 1; attempt <= 12; attempt++) {
    const d = Math.min(opts.maxMs, opts.initialMs * 2 ** (attempt - 1));
    let lo = Infinity;
    let hi = 0;
    for (let i = 0; i < 500; i++) {
      const v = backoffDelay(attempt, opts);
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    assert.ok(lo >= d * 0.5 && hi <= d, `attempt ${attempt}: ${lo}..${hi} outside ${d * 0.5}..${d}`);
    assert.ok(hi - lo > d * 0.2, `attempt ${attempt}: jitter spreads delays (${lo}..${hi})`);
  }
  assert.equal(
    backoffDelay(1, opts, () => 1),
    500,
  );
  assert.equal(
    backoffDelay(0, opts, () => 0),
    1000,
    'attempt below 1 counts as the first',
  );
});

test('defaults: 2 s first retry, capped at 30 s', () => {
  assert.equal(
    backoffDelay(1, BACKOFF_DEFAULTS, () => 0),
    2000,
  );
  assert.equal(
    backoffDelay(50, BACKOFF_DEFAULTS, () => 0),
    30_000,
  );
});

test('factor and jitter default to 2 and 0.5', () => {
  const o = { initialMs: 100, maxMs: 1000 };
  assert.equal(
    backoffDelay(3, o, () => 0),
    400,
  );
  assert.equal(
    backoffDelay(3, o, () => 1),
    200,
  );
  assert.equal(
    backoffDelay(20, o, () => 0),
    1000,
  );
});

test('a longer Retry-After wins, capped at retryAfterMaxMs (default maxMs)', () => {
  const o = { initialMs: 100, maxMs: 1000 };
  assert.equal(
    backoffDelay(1, o, () => 0, 50),
    100,
    'a shorter Retry-After does not shorten our delay',
  );
  assert.equal(
    backoffDelay(1, o, () => 0, 700),
    700,
  );
  assert.equal(
    backoffDelay(1, o, () => 0, 5000),
    1000,
  );
  assert.equal(
    backoffDelay(1, { ...o, retryAfterMaxMs: 10_000 }, () => 0, 5000),
    5000,
  );
  assert.equal(
    backoffDelay(1, { ...o, retryAfterMaxMs: 10_000 }, () => 0, 999_999),
    10_000,
  );
});

test('Retry-After header: seconds or an HTTP date', () => {
  assert.equal(parseRetryAfter('7'), 7000);
  assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4000), 6000);
  assert.equal(parseRetryAfter('soon'), undefined);
  assert.equal(parseRetryAfter(null), undefined);
});
