/**
 * Score of the payload normalizer on the firmware corpus: per ecosystem, how many real
 * messages give the expected Reading (target: at least 90 % each).
 *   npm run build && node dist/bench/normalizer-corpus.js [--verbose]
 */
import { score } from '../test/payload-normalizer/corpus';

const verbose = process.argv.includes('--verbose');
let worst = 100;
console.log(`${'ecosystem'.padEnd(16)}${'messages'.padStart(9)}${'correct'.padStart(9)}${'score'.padStart(8)}`);
for (const s of score()) {
  const pct = (100 * s.passed) / s.total;
  worst = Math.min(worst, pct);
  console.log(`${s.ecosystem.padEnd(16)}${String(s.total).padStart(9)}${String(s.passed).padStart(9)}${`${pct.toFixed(0)} %`.padStart(8)}`);
  if (verbose) for (const f of s.failures) console.log(`    ✗ ${f}`);
}
console.log(`lowest: ${worst.toFixed(0)} %`);
process.exitCode = worst >= 90 ? 0 : 1;
