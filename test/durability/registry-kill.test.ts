/**
 * The registry's promise: a change the API answered 200 survives kill -9.
 * The app as `npm start` runs it takes an import of 2,000 devices, then a
 * stream of PUTs (8 at a time, new devices and renames of imported ones) long
 * enough to cross a compaction (a snapshot rewrite and an emptied journal), and
 * is killed with SIGKILL in the middle of the stream. After a restart every
 * acknowledged change must be there, with its value.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { spawnApp, startApp, RunningApp } from '../support/app';
import { tempDir, waitForHttp } from '../support/services';

const IMPORTED = 2000;
let app: RunningApp | undefined;
after(async () => {
  if (app && app.proc.exitCode === null && app.proc.signalCode === null) await app.stop();
});

async function put(id: string, name: string): Promise<number> {
  try {
    const res = await fetch(`${app!.url}/api/devices/${encodeURIComponent(id)}/registry`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name, location: 'kill test' }),
    });
    await res.text();
    return res.status;
  } catch {
    return 0; // the app died under this request
  }
}

test('registry: every change answered 200 is there after kill -9, across a compaction', { timeout: 180_000 }, async () => {
  const dataDir = tempDir('registry-kill');
  app = await startApp({ SIMULATE_DEVICES: '0', DATA_DIR: dataDir });
  const csv = ['id,name', ...Array.from({ length: IMPORTED }, (_, i) => `dev-${i},Imported ${i}`)].join('\n');
  const imp = await fetch(`${app.url}/api/registry/import`, { method: 'POST', headers: { 'Content-Type': 'text/csv' }, body: csv });
  assert.equal(imp.status, 200, await imp.text());

  // The compaction threshold is max(1000, devices / 5) lines: kill after 1,300 acknowledged changes, with 8 more in flight.
  const acked = new Map<string, string>();
  let n = 0;
  let killed = false;
  const worker = async (): Promise<void> => {
    while (!killed) {
      const i = n++;
      const id = i % 3 === 0 ? `dev-${i % IMPORTED}` : `new-${i}`;
      const name = `v${i}`;
      const status = await put(id, name);
      if (status === 200) acked.set(id, name);
      if (!killed && acked.size >= 1300) {
        killed = true;
        app!.proc.kill('SIGKILL');
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  await new Promise<void>((resolve) => (app!.proc.exitCode !== null || app!.proc.signalCode !== null ? resolve() : app!.proc.once('exit', () => resolve())));
  assert.equal(app.proc.signalCode, 'SIGKILL');
  // The import wrote generation 1; the stream crossed at least one compaction before the kill.
  const gen = JSON.parse(fs.readFileSync(path.join(dataDir, 'devices.json'), 'utf8')).generation;
  assert.ok(gen >= 2, `snapshot generation ${gen}: no compaction happened during the stream`);

  app = await spawnApp({ SIMULATE_DEVICES: '0', DATA_DIR: dataDir });
  await waitForHttp(`${app.url}/health/live`, 60_000);
  const entries = (await (await fetch(`${app.url}/api/registry/export`)).json()) as Array<{ id: string; name: string }>;
  const now = new Map(entries.map((e) => [e.id, e.name]));
  const lost = [...acked].filter(([id, name]) => now.get(id) !== name);
  assert.deepEqual(lost, [], `${lost.length} of ${acked.size} acknowledged changes lost or wrong`);
  // The imported devices nobody renamed are all still there.
  assert.ok(now.size >= IMPORTED, `${now.size} entries`);
  assert.doesNotMatch(app.log(), /saved entries skipped|cannot be read/, 'no entry skipped at start');
  await app.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});
