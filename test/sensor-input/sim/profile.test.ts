import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pad3 } from '../../../nodes/sensor-input/sim/profile';

test('pad3: device indexes padded to three digits, longer ones kept whole', () => {
  for (const [n, s] of [
    [1, '001'],
    [42, '042'],
    [999, '999'],
    [1234, '1234'],
  ] as const)
    assert.equal(pad3(n), s, String(n));
});
