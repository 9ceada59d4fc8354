/** DuplicateFilter: the dedupe window and its bound. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DuplicateFilter } from '../../nodes/payload-normalizer/guards';

describe('guards', () => {
  test('duplicate filter window and bound', () => {
    const f = new DuplicateFilter(1000, 3);
    assert.equal(f.isDuplicate('a', 0), false);
    assert.equal(f.isDuplicate('a', 999), true);
    assert.equal(f.isDuplicate('a', 1000), false);
    for (const k of ['b', 'c', 'd', 'e']) f.isDuplicate(k, 1001);
    assert.ok(f.size <= 3);
  });
});
