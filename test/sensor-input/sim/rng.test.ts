/** The seedable random source and its helpers: replayable, in range, with the spread their names promise. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clamp, expDelay, gauss, intBetween, pick, round, seededRng, token, uniform, weighted } from '../../../nodes/sensor-input/sim/rng';

const draw = <T>(n: number, f: () => T): T[] => Array.from({ length: n }, f);
const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

test('the same seed replays the same sequence; another seed does not; values stay in [0, 1)', () => {
  const a = draw(
    1000,
    (
      (r) => () =>
        r.next()
    )(seededRng(42)),
  );
  const b = draw(
    1000,
    (
      (r) => () =>
        r.next()
    )(seededRng(42)),
  );
  const c = draw(
    1000,
    (
      (r) => () =>
        r.next()
    )(seededRng(43)),
  );
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.ok(a.every((x) => x >= 0 && x < 1));
  assert.ok(Math.abs(mean(a) - 0.5) < 0.05, `mean ${mean(a)}`);
});

test('uniform and intBetween stay in their bounds and reach both ends of an integer range', () => {
  const rng = seededRng(1);
  assert.ok(draw(2000, () => uniform(rng, -3, 7)).every((x) => x >= -3 && x < 7));
  const ints = draw(2000, () => intBetween(rng, 2, 5));
  assert.deepEqual([...new Set(ints)].sort(), [2, 3, 4, 5]);
});

test('gauss centres on its mean with its sigma; expDelay averages its mean', () => {
  const rng = seededRng(2);
  const g = draw(20_000, () => gauss(rng, 2, 10));
  const m = mean(g);
  const sd = Math.sqrt(mean(g.map((x) => (x - m) ** 2)));
  assert.ok(Math.abs(m - 10) < 0.1, `mean ${m}`);
  assert.ok(Math.abs(sd - 2) < 0.1, `sigma ${sd}`);
  const e = draw(20_000, () => expDelay(rng, 5));
  assert.ok(e.every((x) => x >= 0));
  assert.ok(Math.abs(mean(e) - 5) < 0.25, `mean delay ${mean(e)}`);
});

test('weighted picks in proportion to the weights and never a zero-weight key; pick covers every item', () => {
  const rng = seededRng(3);
  const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
  for (let i = 0; i < 10_000; i++) counts[weighted(rng, { a: 1, b: 3, c: 0 })]++;
  assert.equal(counts.c, 0);
  assert.ok(Math.abs(counts.b / counts.a - 3) < 0.3, JSON.stringify(counts));
  assert.deepEqual([...new Set(draw(500, () => pick(rng, ['x', 'y', 'z'])))].sort(), ['x', 'y', 'z']);
});

test('clamp, round and token', () => {
  assert.deepEqual([clamp(-1, 0, 10), clamp(5, 0, 10), clamp(11, 0, 10)], [0, 5, 10]);
  assert.deepEqual([round(21.456, 1), round(21.45, 0), round(-0.125, 2)], [21.5, 21, -0.12]);
  const t = token(seededRng(4), 6);
  assert.match(t, /^[a-z0-9]{6}$/);
  assert.equal(token(seededRng(4), 6), t);
});
