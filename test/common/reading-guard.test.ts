/** isReading: the Reading contract checked field by field. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isReading } from '../../nodes/common/reading-guard';

const good = { deviceId: 'pi-1', sensorType: 'dht22', ts: 1, received: 2, metrics: { t: 21.5, on: 1 } };

test('a complete Reading passes, with or without its optional fields', () => {
  assert.equal(isReading(good), true);
  assert.equal(isReading({ ...good, units: { t: '°C' }, tags: { room: 'a' }, event: { id: 'e1', type: 'motion' } }), true);
});

test('each wrong field makes it fail', () => {
  const bad: Array<[string, unknown]> = [
    ['not an object', 'pi-1'],
    ['an array', [good]],
    ['null', null],
    ['empty deviceId', { ...good, deviceId: '' }],
    ['numeric deviceId', { ...good, deviceId: 7 }],
    ['no sensorType', { ...good, sensorType: undefined }],
    ['ts not finite', { ...good, ts: Infinity }],
    ['ts a string', { ...good, ts: '1' }],
    ['no received', { ...good, received: undefined }],
    ['metrics missing', { ...good, metrics: undefined }],
    ['a NaN metric', { ...good, metrics: { t: NaN } }],
    ['a boolean metric', { ...good, metrics: { on: true } }],
    ['a numeric unit', { ...good, units: { t: 1 } }],
    ['tags an array', { ...good, tags: ['a'] }],
    ['event without type', { ...good, event: { id: 'e1' } }],
    ['event a string', { ...good, event: 'motion' }],
  ];
  for (const [why, v] of bad) assert.equal(isReading(v), false, why);
});
