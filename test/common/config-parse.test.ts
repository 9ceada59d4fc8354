/** The shared config parsers: defaults for absent values, bounds, whole numbers, clear errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldParsers, isUnset, parseBool, parseNumber, parseOneOf } from '../../nodes/common/config-parse';
import { ValidationError } from '../../nodes/common/errors';

test('isUnset: undefined, null and empty text', () => {
  assert.deepEqual([undefined, null, '', 0, false, ' '].map(isUnset), [true, true, true, false, false, false]);
});

test('parseNumber: absent takes the fallback, text is converted, bounds hold', () => {
  for (const v of [undefined, null, '']) assert.equal(parseNumber({ n: v }, 'n', 7, 0, 10), 7);
  assert.equal(parseNumber({ n: '2.5' }, 'n', 7, 0, 10), 2.5);
  assert.equal(parseNumber({ n: ' 3 ' }, 'n', 7, 0, 10), 3);
  assert.equal(parseNumber({ n: 10 }, 'n', 7, 0, 10), 10);
  assert.throws(() => parseNumber({ n: 11 }, 'n', 7, 0, 10), /^ValidationError: n must be a number from 0 to 10, got "11"$/);
  assert.throws(() => parseNumber({ n: 'lots' }, 'n', 7, 0, 10), /n must be a number from 0 to 10, got "lots"/);
  assert.throws(() => parseNumber({ n: 'Infinity' }, 'n', 7, 0, Infinity), /n must be a number/);
  assert.throws(() => parseNumber({ n: 1.5 }, 'n', 7, 0, 10, true), /n must be a whole number from 0 to 10, got "1.5"/);
  assert.equal(parseNumber({ n: '4' }, 'n', 7, 0, 10, true), 4);
  try {
    parseNumber({ speed: -1 }, 'speed', 1, 0, 5);
    assert.fail('no error');
  } catch (err) {
    assert.ok(err instanceof ValidationError);
    assert.equal(err.field, 'speed');
  }
});

test('parseBool: true or "true" is on, other set values are off, absent takes the fallback', () => {
  const table: [unknown, boolean, boolean][] = [
    [true, false, true],
    ['true', false, true],
    [false, true, false],
    ['false', true, false],
    ['yes', true, false],
    [undefined, true, true],
    ['', true, true],
    [null, false, false],
  ];
  for (const [v, fallback, want] of table) assert.equal(parseBool({ b: v }, 'b', fallback), want, `${String(v)} / ${fallback}`);
});

test('parseOneOf: the allowed values only', () => {
  assert.equal(parseOneOf({ m: 'b' }, 'm', 'a', ['a', 'b'] as const), 'b');
  assert.equal(parseOneOf({}, 'm', 'a', ['a', 'b'] as const), 'a');
  assert.throws(() => parseOneOf({ m: 'c' }, 'm', 'a', ['a', 'b'] as const), /m must be one of a, b, got "c"/);
});

test('fieldParsers take their defaults from a DEFAULTS object', () => {
  const { num, int, bool, oneOf } = fieldParsers({ rate: 5, count: 3, on: true, mode: 'x', text: '2' });
  assert.equal(num({}, 'rate', 0, 10), 5);
  assert.equal(num({}, 'text', 0, 10), 2, 'a default saved as text is converted');
  assert.equal(int({ count: '' }, 'count', 0, 10), 3);
  assert.throws(() => int({ count: 2.2 }, 'count', 0, 10), /count must be a whole number/);
  assert.equal(bool({}, 'on'), true);
  assert.equal(bool({ on: 'false' }, 'on'), false);
  assert.equal(oneOf({}, 'mode', ['x', 'y'] as const), 'x');
  assert.throws(() => oneOf({ mode: 'z' }, 'mode', ['x', 'y'] as const), /mode must be one of x, y/);
});
