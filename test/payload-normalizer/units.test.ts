/** Unit spellings and the optional conversions to °C and hPa. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { canonicalUnit, convert } from '../../nodes/payload-normalizer/units';

describe('units', () => {
  test('spellings', () => {
    assert.equal(canonicalUnit('F'), '°F');
    assert.equal(canonicalUnit(' celsius '), '°C');
    assert.equal(canonicalUnit('mbar'), 'hPa');
    assert.equal(canonicalUnit('lux'), 'lux');
  });
  test('conversions on and off', () => {
    const on = { toCelsius: true, toHectopascal: true };
    const off = { toCelsius: false, toHectopascal: false };
    assert.deepEqual(convert(32, '°F', '°C', on), [0, '°C']);
    assert.deepEqual(convert(273.15, 'K', '°C', on), [0, '°C']);
    assert.deepEqual(convert(101325, 'Pa', 'hPa', on), [1013.25, 'hPa']);
    assert.deepEqual(convert(101.3, 'kPa', 'hPa', on), [1013, 'hPa']);
    assert.deepEqual(convert(101325, undefined, 'hPa', on), [1013.25, 'hPa']);
    assert.deepEqual(convert(1013, undefined, 'hPa', on), [1013, 'hPa']);
    assert.deepEqual(convert(32, '°F', '°C', off), [32, '°F']);
    assert.deepEqual(convert(101325, undefined, 'hPa', off), [101325, 'hPa']);
  });
});
