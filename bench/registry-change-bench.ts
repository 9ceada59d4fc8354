/**
 * What one registry change costs at 50,000 devices, before and after the
 * journal: before, every change rewrote the whole registry atomically (the
 * snapshot write the app now does only when it compacts); after, a change is
 * one fdatasync'd journal line, plus a compaction every 10,000 changes at that
 * size. Prints the mean, the median and the worst change of a run of
 * changes long enough to include compactions.
 *   npm run build && node dist/bench/registry-change-bench.js [changes]
 */
import fs from 'fs';
import path from 'path';
import os from 'os';
import { openRegistry, writeAtomic, REGISTRY_FILE } from '../app/registry-store';

const N = 50_000;
const CHANGES = Number(process.argv[2]) || 12_000;
const REWRITES = 20;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iot-registry-change-bench-'));
const ms = (ns: bigint): number => Number(ns) / 1e6;
const stats = (xs: number[]): string => {
  const s = [...xs].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return `mean ${mean.toFixed(3)} ms, median ${s[Math.floor(s.length / 2)].toFixed(3)} ms, worst ${s[s.length - 1].toFixed(1)} ms (${s.length} changes)`;
};
try {
  const registry = openRegistry(dir, N);
  registry.import(
    Array.from({ length: N }, (_, i) => ({
      row: i + 1,
      value: {
        id: `dev-${i}`,
        name: `Sensor ${i}, hall ${i % 40}`,
        location: `Building ${i % 7} / floor ${i % 12}`,
        type: 'environmental',
        owner: 'facilities',
      },
    })),
  );
  const file = path.join(dir, REGISTRY_FILE);
  console.log(`registry of ${registry.size.toLocaleString('en')} devices, ${(fs.statSync(file).size / 1e6).toFixed(1)} MB snapshot`);

  // Before: each change rewrote the whole file (serialise every entry, write, fsync, rename, fsync the folder).
  const before: number[] = [];
  for (let i = 0; i < REWRITES; i++) {
    registry.set(`dev-${i}`, { name: `Before ${i}` }, false); // the change itself (journaled) is not timed here
    const t0 = process.hrtime.bigint();
    writeAtomic(file, `${JSON.stringify({ version: 1, generation: 1, devices: registry.list() })}\n`);
    before.push(ms(process.hrtime.bigint() - t0));
  }
  console.log(`before (whole file rewritten per change): ${stats(before)}`);

  // After: registry.set as the API calls it, journal line + fdatasync, compactions included.
  const after: number[] = [];
  const compactions0 = registry.store.counts.compactions;
  for (let i = 0; i < CHANGES; i++) {
    const t0 = process.hrtime.bigint();
    registry.set(`dev-${(i * 7919) % N}`, { name: `After ${i}` }, false);
    after.push(ms(process.hrtime.bigint() - t0));
  }
  const compactions = registry.store.counts.compactions - compactions0;
  console.log(`after (journal line, fdatasync; ${compactions} compactions included): ${stats(after)}`);
  const plain = after.filter((x) => x < 50);
  console.log(`after, leaving out changes over 50 ms (the compaction, disk stalls): ${stats(plain)}`);
  const t0 = process.hrtime.bigint();
  const again = openRegistry(dir, N);
  console.log(`load at start (snapshot + journal replay): ${ms(process.hrtime.bigint() - t0).toFixed(0)} ms, ${again.size} devices`);
  again.store.close();
  registry.store.close();
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
