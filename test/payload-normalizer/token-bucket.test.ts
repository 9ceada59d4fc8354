/** TokenBucket: per-device refill and the bound on devices kept. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TokenBucket } from '../../nodes/payload-normalizer/token-bucket';

describe('token bucket', () => {
  test('rate limiter refills and bounds its devices', () => {
    const r = new TokenBucket(2, undefined, 5);
    assert.equal(r.allow('a', 0), true);
    assert.equal(r.allow('a', 0), true);
    assert.equal(r.allow('a', 0), false);
    assert.equal(r.allow('a', 500), true);
    for (let i = 0; i < 20; i++) r.allow(`d${i}`, 0);
    assert.ok(r.size <= 5);
    assert.equal(new TokenBucket(0).allow('x', 0), true);
  });
});
