/** Exponential backoff with jitter: growth, cap and jitter bounds. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, BACKOFF_DEFAULTS } from '../../nodes/alert-notifier/backoff';

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
  assert.equal(backoffDelay(1, opts, () => 1), 500);
  assert.equal(backoffDelay(0, opts, () => 0), 1000, 'attempt below 1 counts as the first');
});

test('defaults: 2 s first retry, capped at 30 s', () => {
  assert.equal(backoffDelay(1, BACKOFF_DEFAULTS, () => 0), 2000);
  assert.equal(backoffDelay(50, BACKOFF_DEFAULTS, () => 0), 30_000);
});
