/**
 * The activity classifier on the labelled set (test/activity/labelled-set.ts:
 * the simulator's phases plus running bouts, falls and knocks), and its edges.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import { ActivityClassifier, G, parseOptions } from '../../nodes/common/activity-classifier';
import { labelledSet } from '../activity/labelled-set';
import { score } from '../activity/score';

test('on the labelled set at 2 Hz: at least 95% of windows right, every fall found, no knock taken for a fall', () => {
  for (const seed of [42, 7]) {
    const s = score(labelledSet({ seed, intervalMs: 500 }));
    assert.ok(s.scored > 10_000, `${s.scored} windows scored`);
    for (const k of ['stationary', 'walking', 'running'] as const) assert.ok(s.confusion[k][k] > 100, `${k} is in the set and recognised`);
    assert.ok(s.accuracy >= 0.95, `accuracy ${s.accuracy} (seed ${seed}): ${JSON.stringify(s.confusion)}`);
    assert.ok(s.knocks > 10, 'the set holds simulator knocks');
    assert.equal(s.fallsFound, s.impacts, `falls found ${s.fallsFound}/${s.impacts}`);
    assert.equal(s.falseFalls, 0);
  }
});

const still = (c: ActivityClassifier, t0: number, n: number, v: [number, number, number], dt = 500) => {
  let last = {};
  for (let i = 0; i < n; i++) last = c.add('d', { ts: t0 + i * dt, x: v[0], y: v[1], z: v[2] });
  return last;
};

test('a fall needs an impact, stillness and a new orientation', () => {
  const c = new ActivityClassifier();
  still(c, 0, 20, [0, 0, G]);
  assert.equal(c.add('d', { ts: 10_000, x: 0, y: 30, z: 10 }).fall, undefined, 'not yet: stillness must follow');
  const falls = [];
  for (let i = 1; i <= 12; i++) {
    const r = c.add('d', { ts: 10_000 + i * 500, x: G, y: 0, z: 0.5 });
    if (r.fall) falls.push(r.fall);
  }
  assert.equal(falls.length, 1, 'one event per fall');
  assert.ok(falls[0].peakG > 3 && falls[0].tiltDeg > 80, JSON.stringify(falls[0]));
  // Same impact, same orientation after: a knock on the table.
  const k = new ActivityClassifier();
  still(k, 0, 20, [0, 0, G]);
  k.add('d', { ts: 10_000, x: 0, y: 156.91, z: G });
  const after = [];
  for (let i = 1; i <= 12; i++) after.push(k.add('d', { ts: 10_000 + i * 500, x: 0, y: 0, z: G }).fall);
  assert.deepEqual(after.filter(Boolean), []);
});

test('no activity before minSamples; bad samples and options are refused by name; devices are bounded', () => {
  const c = new ActivityClassifier({ maxDevices: 2 });
  assert.equal(c.add('a', { ts: 0, x: 0, y: 0, z: G }).activity, undefined);
  assert.throws(() => c.add('a', { ts: 1, x: NaN, y: 0, z: G }), /finite ts, x, y and z/);
  c.add('b', { ts: 0, x: 0, y: 0, z: G });
  c.add('c', { ts: 0, x: 0, y: 0, z: G });
  assert.equal(c.size, 2);
  assert.equal(c.dropped, 1);
  assert.throws(() => parseOptions({ windowMs: -1 }), /windowMs must be a positive number/);
  assert.throws(() => parseOptions({ walkStd: 5, runStd: 4 }), /runStd must be above walkStd/);
});
