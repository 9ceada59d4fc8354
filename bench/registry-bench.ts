/**
 * The device registry at its bound: a CSV of 50,000 devices parsed, imported
 * and saved (atomic file write), one edit at that size (a journal line;
 * bench/registry-change-bench.ts compares it with a whole rewrite), a reload at start, the lookup the flows make per tile or alert,
 * and the file's size.
 *   npx tsc -p tsconfig.json && node dist/bench/registry-bench.js
 */
import fs from 'fs';
import path from 'path';
import os from 'os';
import { csvRows } from '../app/api/registry';
import { openRegistry, REGISTRY_FILE } from '../app/registry-store';
import { deviceInfo } from '../nodes/common/device-lookup';

const N = 50_000;
const ms = (t0: bigint): string => `${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(1)} ms`;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iot-registry-bench-'));
try {
  const lines = ['id,name,location,type,owner'];
  for (let i = 0; i < N; i++) lines.push(`dev-${i},"Sensor ${i}, hall ${i % 40}",Building ${i % 7} / floor ${i % 12},environmental,facilities`);
  const csv = lines.join('\r\n');

  const registry = openRegistry(dir, N);
  let t0 = process.hrtime.bigint();
  const { rows } = csvRows(csv, N);
  const parsed = ms(t0);
  t0 = process.hrtime.bigint();
  const out = registry.import(rows);
  const imported = ms(t0);
  console.log(
    `import of ${N.toLocaleString('en')} devices (${(csv.length / 1e6).toFixed(1)} MB of CSV): parse ${parsed}, import and save ${imported}; ${out.added} added, ${out.errors.length} errors`,
  );
  console.log(`file ${REGISTRY_FILE}: ${(fs.statSync(path.join(dir, REGISTRY_FILE)).size / 1e6).toFixed(1)} MB`);

  t0 = process.hrtime.bigint();
  registry.set('dev-123', { name: 'Renamed' }, false);
  console.log(`one edit at ${N.toLocaleString('en')} devices (a journal line, fdatasync): ${ms(t0)}`);
  const small = openRegistry(fs.mkdtempSync(path.join(dir, 'small-')), N);
  small.import(csvRows(lines.slice(0, 1001).join('\r\n'), N).rows);
  t0 = process.hrtime.bigint();
  small.set('dev-123', { name: 'Renamed' }, false);
  console.log(`one edit at 1,000 devices: ${ms(t0)}`);

  t0 = process.hrtime.bigint();
  const again = openRegistry(dir, N);
  console.log(`load at start: ${ms(t0)} (${again.size} devices)`);

  let hits = 0;
  t0 = process.hrtime.bigint();
  for (let i = 0; i < 1_000_000; i++) if (deviceInfo(again, `dev-${i % N}`)) hits++;
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`lookup (deviceInfo, as the notifier): ${Math.round(1_000_000 / secs).toLocaleString('en')} per second (${hits} hits)`);
  const mem = process.memoryUsage();
  console.log(`heap used with two registries of ${N.toLocaleString('en')}: ${(mem.heapUsed / 1e6).toFixed(0)} MB`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
