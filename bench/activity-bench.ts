/**
 * The activity classifier's accuracy on the labelled set (test/activity/labelled-set.ts)
 * at several sampling intervals and on public recordings (test/activity/public-set.ts), its confusion matrix, falls found and false, and
 * samples per second on one core.
 *   npx tsc -p tsconfig.json && node dist/bench/activity-bench.js
 */
import { ActivityClassifier } from '../nodes/common/activity-classifier';
import { labelledSet } from '../test/activity/labelled-set';
import { publicSet } from '../test/activity/public-set';
import { score } from '../test/activity/score';

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

for (const intervalMs of [250, 500, 1000, 2000]) {
  const set = labelledSet({ intervalMs });
  const s = score(set, intervalMs >= 2000 ? { minSamples: 4 } : {});
  console.log(
    `interval ${intervalMs} ms: ${set.length} samples, ${s.scored} windows scored, accuracy ${pct(s.accuracy)}; falls ${s.fallsFound}/${s.impacts}, false falls ${s.falseFalls} (${s.knocks} knocks in the set)`,
  );
  for (const [truth, row] of Object.entries(s.confusion))
    console.log(
      `  ${truth.padEnd(10)} -> ${Object.entries(row)
        .map(([p, n]) => `${p} ${n}`)
        .join(', ')}`,
    );
}

// Public recordings (test/activity/corpus/README.md): real wrist / hand / pocket data at 6.5 Hz.
{
  const pub = publicSet();
  const s = score(pub);
  console.log(
    `public ST HAR recordings (${new Set(pub.map((p) => p.deviceId)).size}, 6.5 Hz): ${pub.length} samples, ${s.scored} windows scored, accuracy ${pct(s.accuracy)}; false falls ${s.falseFalls}`,
  );
  for (const [truth, row] of Object.entries(s.confusion))
    console.log(
      `  ${truth.padEnd(10)} -> ${Object.entries(row)
        .map(([p, n]) => `${p} ${n}`)
        .join(', ')}`,
    );
}

const set = labelledSet({ intervalMs: 500 });
let best = 0;
for (let run = 0; run < 3; run++) {
  const c = new ActivityClassifier();
  const t0 = process.hrtime.bigint();
  for (const s of set) c.add(s.deviceId, s);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  best = Math.max(best, set.length / secs);
}
console.log(`throughput: ${Math.round(best).toLocaleString('en')} samples/s on one core (window 10 s at 2 Hz)`);
