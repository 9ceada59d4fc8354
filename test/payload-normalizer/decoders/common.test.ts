/** The decoders' shared helpers: online / offline words, the availability Reading, bare values, topic joins. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { availability, AVAILABILITY, bareValue, join, onlineValue } from '../../../nodes/payload-normalizer/decoders/common';
import { Draft } from '../../../nodes/payload-normalizer/draft';

const draft = (): Draft => new Draft({ maxDepth: 8, maxKeys: 100 });
const metrics = (d: Draft): Record<string, number> => Object.fromEntries(d.mNames.map((n, i) => [n, d.mValues[i]]));

test('onlineValue reads the forms firmwares publish; anything else is undefined', () => {
  const table: Array<[unknown, boolean | undefined]> = [
    ['online', true],
    ['Online', true],
    ['offline', false],
    ['true', true],
    ['false', false],
    [true, true],
    [false, false],
    [1, true],
    [0, false],
    [2, undefined],
    [{ state: 'online' }, true],
    [{ status: 'offline' }, false],
    [{ value: 1 }, true],
    ['maybe', undefined],
    [null, undefined],
    [[1], undefined],
  ];
  for (const [v, want] of table) assert.equal(onlineValue(v), want, JSON.stringify(v));
});

test('availability: sensor type availability, metric online and tag status; other payloads are unsupported_shape', () => {
  const d = draft();
  assert.equal(availability(d, 'Offline'), true);
  assert.equal(d.sensorType, AVAILABILITY);
  assert.deepEqual(metrics(d), { online: 0 });
  assert.deepEqual([d.tNames, d.tValues], [['status'], ['offline']]);
  const bad = draft();
  assert.equal(availability(bad, 'rebooting'), false);
  assert.equal(bad.code, 'unsupported_shape');
  assert.match(bad.message, /"rebooting" is neither online nor offline/);
});

test('bareValue: numbers, numeric text, booleans and state words become one metric with its unit', () => {
  const d = draft();
  assert.equal(bareValue(d, 'temperature', 21.5, '°C'), true);
  assert.equal(bareValue(d, 'humidity', ' 40 '), true);
  assert.equal(bareValue(d, 'relay', true), true);
  assert.equal(bareValue(d, 'door', 'open'), true);
  assert.deepEqual(metrics(d), { temperature: 21.5, humidity: 40, relay: 1, door: 1 });
  assert.equal(d.mUnits[0], '°C');
});

test('bareValue: non-finite numbers and other text are rejected with the metric named', () => {
  const inf = draft();
  assert.equal(bareValue(inf, 'power', Infinity), false);
  assert.deepEqual([inf.code, inf.message], ['not_finite', 'power is Infinity']);
  const text = draft();
  assert.equal(bareValue(text, 'power', 'lots'), false);
  assert.equal(text.code, 'unsupported_shape');
  assert.match(text.message, /^power: "lots" is not a number or a state$/);
  assert.deepEqual(metrics(text), {});
});

test('join takes topic levels from one index to another', () => {
  const levels = ['tele', 'kitchen', 'plug', 'SENSOR'];
  assert.equal(join(levels, 1), 'kitchen/plug/SENSOR');
  assert.equal(join(levels, 1, 3), 'kitchen/plug');
  assert.equal(join(levels, 4), '');
});
