import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Draft } from '../../nodes/payload-normalizer/draft';
import { addValue, copyData, isObj, NO_SKIP, walk } from '../../nodes/payload-normalizer/walk';

const draft = (maxDepth = 8, maxKeys = 100): Draft => new Draft({ maxDepth, maxKeys });
const metrics = (d: Draft) => Object.fromEntries(d.mNames.map((n, i) => [n, [d.mValues[i], d.mUnits[i]]]));
const tags = (d: Draft) => Object.fromEntries(d.tNames.map((n, i) => [n, d.tValues[i]]));

test('isObj: plain objects only', () => {
  assert.equal(isObj({}), true);
  for (const v of [null, [], Buffer.from('x'), 'x', 1]) assert.equal(isObj(v), false, String(v));
});

test('addValue: numbers, booleans and numeric strings are metrics, other strings tags, non-finite refused', () => {
  const d = draft();
  assert.equal(addValue(d, 'a', 1.5, '°C'), true);
  addValue(d, 'b', true);
  addValue(d, 'c', '42');
  addValue(d, 'where', 'kitchen');
  addValue(d, 'empty', '');
  addValue(d, 'none', null);
  assert.deepEqual(metrics(d), { a: [1.5, '°C'], b: [1, undefined], c: [42, undefined] });
  assert.deepEqual(tags(d), { where: 'kitchen' });
  assert.equal(addValue(d, 'x', Number.NaN), false);
  assert.deepEqual([d.code, d.message], ['not_finite', 'x is NaN']);
  assert.equal(addValue(draft(), 'y', 'Infinity'), false);
});

test('walk: top-level ids and time, wrappers without prefix, nested blocks prefixed, units applied', () => {
  const d = draft();
  const ok = walk(
    {
      deviceId: 'dev-1',
      sensorType: 'env',
      ts: 123,
      sensors: { temperature: 21.5, unit: 'C' },
      battery: { level: 90, voltage: 3.1 },
      units: { humidity: '%' },
      humidity: 40,
      list: [1, 2],
      skipMe: 5,
    },
    '',
    0,
    d,
    true,
    new Set(['skip_me']),
  );
  assert.equal(ok, true);
  assert.deepEqual([d.deviceId, d.sensorType, d.tsRaw], ['dev-1', 'env', 123]);
  assert.deepEqual(metrics(d), {
    temperature: [21.5, 'C'],
    battery_level: [90, undefined],
    battery_voltage: [3.1, undefined],
    humidity: [40, '%'],
  });
});

test('walk: too deep and too many keys are rejects', () => {
  const deep = draft(1);
  assert.equal(walk({ a: { b: { c: 1 } } }, '', 0, deep, true, NO_SKIP), false);
  assert.equal(deep.code, 'too_deep');
  const wide = draft(8, 2);
  assert.equal(walk({ a: 1, b: 2, c: 3 }, '', 0, wide, true, NO_SKIP), false);
  assert.equal(wide.code, 'too_many_keys');
});

test('copyData: forbidden keys dropped, long strings cut, non-finite numbers null, depth limited', () => {
  const d = draft(2);
  const data = JSON.parse('{"__proto__": {"x": 1}, "pin": 4, "note": "' + 'n'.repeat(2000) + '", "list": [1, "a"]}');
  data.bad = Number.POSITIVE_INFINITY;
  const out = copyData(data, 0, d) as Record<string, unknown>;
  assert.deepEqual(Object.keys(out).sort(), ['bad', 'list', 'note', 'pin']);
  assert.equal((out.note as string).length, 1024);
  assert.deepEqual([out.pin, out.bad, out.list], [4, null, [1, 'a']]);
  const deep = draft(1);
  copyData({ a: { b: { c: 1 } } }, 0, deep);
  assert.equal(deep.code, 'too_deep');
});
