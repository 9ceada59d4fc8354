/** parsePayload: JSON, bare values, buffers and the size limit. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePayload } from '../../nodes/payload-normalizer/payload';

describe('payload parsing', () => {
  test('kinds of payload', () => {
    assert.deepEqual(parsePayload('{"a":1}', 100), { ok: true, value: { a: 1 } });
    assert.deepEqual(parsePayload(Buffer.from(' 42 '), 100), { ok: true, value: 42 });
    assert.deepEqual(parsePayload('"21.5"', 100), { ok: true, value: 21.5 });
    assert.deepEqual(parsePayload('FALSE', 100), { ok: true, value: false });
    assert.deepEqual(parsePayload(Object.create(null), 100), { ok: true, value: Object.create(null) });
    const big = parsePayload('x'.repeat(101), 100);
    assert.equal(big.ok, false);
    if (!big.ok) assert.equal(big.code, 'too_large');
  });
});
