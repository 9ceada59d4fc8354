/**
 * The classifier on public labelled recordings (corpus/README.md: 18 wrist /
 * hand / pocket recordings of STMicroelectronics' human activities dataset at
 * 6.5 Hz), with its default thresholds, tuned on the simulator only.
 * Floor: 85% of the scored windows right (measured 2026-11-29: 98.2% on these 18,
 * 92.2% on all 92 recordings of the dataset), every
 * class mostly recognised, and no fall in recordings that hold none.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import { publicSet } from './public-set';
import { score } from './score';

export const PUBLIC_ACCURACY_FLOOR = 0.85;

test(`public recordings: at least ${PUBLIC_ACCURACY_FLOOR * 100}% of windows right, no false fall`, () => {
  const set = publicSet();
  assert.equal(new Set(set.map((s) => s.deviceId)).size, 18);
  const s = score(set);
  assert.ok(s.scored > 3000, `${s.scored} windows scored`);
  assert.ok(s.accuracy >= PUBLIC_ACCURACY_FLOOR, `accuracy ${(s.accuracy * 100).toFixed(1)}%: ${JSON.stringify(s.confusion)}`);
  for (const k of ['stationary', 'walking', 'running'] as const) {
    const row = s.confusion[k];
    const total = row.stationary + row.walking + row.running;
    assert.ok(row[k] / total >= 0.7, `${k}: ${JSON.stringify(row)}`);
  }
  assert.equal(s.falseFalls, 0);
});

test('the loader refuses a file that is not the corpus', () => {
  assert.throws(() => publicSet(__filename), /unexpected header/);
});
