/** Metric names to snake_case and numeric strings, as the draft reading takes them. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nonFiniteString, numericString, snakeName } from '../../nodes/payload-normalizer/draft';

describe('names and numbers', () => {
  test('snake_case names', () => {
    assert.equal(snakeName('temperature'), 'temperature');
    assert.equal(snakeName('heartRate'), 'heart_rate');
    assert.equal(snakeName('TempUnit'), 'temp_unit');
    assert.equal(snakeName('SpO2'), 'spo2');
    assert.equal(snakeName('BME280'), 'bme280');
    assert.equal(snakeName('Temperature Outside'), 'temperature_outside');
    assert.equal(snakeName('__proto__'), '');
    assert.equal(snakeName('Constructor'), '');
    assert.equal(snakeName('!!!'), '');
  });
  test('numeric strings', () => {
    assert.equal(numericString('21.5'), 21.5);
    assert.equal(numericString(' -3e2 '), -300);
    assert.equal(numericString('.5'), 0.5);
    assert.equal(numericString(''), undefined);
    assert.equal(numericString(' '), undefined);
    assert.equal(numericString('0x10'), undefined);
    assert.equal(numericString('1,5'), undefined);
    assert.equal(numericString('high'), undefined);
    assert.equal(nonFiniteString('NaN'), true);
    assert.equal(nonFiniteString('-Infinity'), true);
    assert.equal(nonFiniteString('info'), false);
  });
});
