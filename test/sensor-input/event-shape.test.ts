/** Event timestamps as Python's isoformat() prints them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { localIsoMicros } from '../../nodes/sensor-input/event-shape';

test('localIsoMicros prints Python isoformat() digits', () => {
  const t = new Date(2025, 0, 15, 14, 30, 45, 123).getTime();
  assert.equal(localIsoMicros(t, 456), '2025-01-15T14:30:45.123456');
  assert.equal(localIsoMicros(new Date(2025, 0, 5, 4, 3, 2, 1).getTime()), '2025-01-05T04:03:02.001000');
});
