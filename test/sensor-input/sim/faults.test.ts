/** Fault injection: which values are numeric, and the three kinds of malformed payload. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { malform, numericPaths } from '../../../nodes/sensor-input/sim/faults';
import { seededRng } from '../../../nodes/sensor-input/sim/rng';

test('malform: truncated text is a strict prefix, wrong-type replaces a number', () => {
  const rng = seededRng(3);
  const payload = { device_id: 'x', temperature: 21.5, data: { gpio_pin: 17 }, metrics: [{ name: 'a', value: 1, unit: '' }] };
  assert.deepEqual(numericPaths(payload), [['temperature'], ['data', 'gpio_pin'], ['metrics', '0', 'value']]);
  const json = JSON.stringify(payload);
  const seen = new Set<string>();
  for (let i = 0; i < 60; i++) {
    const { text, kind } = malform(payload, rng);
    seen.add(kind);
    if (kind === 'truncated') assert.ok(json.startsWith(text) && text.length < json.length);
    if (kind === 'wrong-type') assert.equal(numericPaths(JSON.parse(text)).length, 2);
  }
  assert.equal(seen.size, 3);
});
