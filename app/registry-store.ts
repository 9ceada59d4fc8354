/**
 * The device registry's files in <DATA_DIR>: the snapshot devices.json
 * (`{version: 1, generation, devices: [{id, name, location, type, owner,
 * updatedAt}]}`), written atomically (a temporary file, fsync, rename, fsync of
 * the folder), and the journal devices.journal of the changes since
 * (registry-journal.ts): a change costs one fdatasync'd line, not a rewrite.
 * A snapshot that cannot be read is set aside as devices.json.bad-<time> (its
 * journal too) and the registry starts empty, with a warning: the next save
 * must not destroy it.
 */
import fs from 'fs';
import path from 'path';
import { DeviceRegistry, REGISTRY_DEFAULTS, RegistryStore } from '../nodes/common/device-registry';
import { JOURNAL_FILE, JournalStore, readJournal, replay } from './registry-journal';

export const REGISTRY_FILE = 'devices.json';

/** Writes `data` to `file` so that readers see the old or the new content, never a mix. */
export function writeAtomic(file: string, data: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  try {
    const dir = fs.openSync(path.dirname(file), 'r');
    try {
      fs.fsyncSync(dir);
    } finally {
      fs.closeSync(dir);
    }
  } catch {
    // Some file systems cannot fsync a folder; the rename itself is atomic.
  }
}

/** The entries saved in `file` ([] when there is none); throws when it is not a registry file. */
export function readRegistryFile(file: string): unknown[] {
  return readSnapshot(file).devices;
}

/** The snapshot: its entries and generation (0 for a file written before the journal, or none). */
export function readSnapshot(file: string): { devices: unknown[]; generation: number } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { devices: [], generation: 0 };
    throw err;
  }
  const doc = JSON.parse(text) as { devices?: unknown; generation?: unknown };
  if (!doc || !Array.isArray(doc.devices)) throw new Error('no "devices" list in it');
  return { devices: doc.devices, generation: typeof doc.generation === 'number' ? doc.generation : 0 };
}

/** REGISTRY_MAX_DEVICES: devices the registry holds (default 50000). */
export function registryMax(value: string | undefined): number {
  if (value === undefined || value === '') return REGISTRY_DEFAULTS.maxDevices;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw new Error(`REGISTRY_MAX_DEVICES must be a whole number from 1 to 1000000, got "${value}"`);
  return n;
}

/**
 * Opens the registry kept in `<dataDir>` (snapshot and journal); problems (skipped entries, an unreadable file) go to `warn`.
 * `wrap` puts a store around the journal (scale-out: app/registry-share.ts).
 */
export function openRegistry(
  dataDir: string,
  maxDevices: number,
  warn: (line: string) => void = (l) => console.warn(l),
  opts: { minCompact?: number; wrap?: (store: JournalStore) => RegistryStore } = {},
): DeviceRegistry & { store: JournalStore } {
  const file = path.join(dataDir, REGISTRY_FILE);
  const journal = path.join(dataDir, JOURNAL_FILE);
  let snap = { devices: [] as unknown[], generation: 0 };
  try {
    snap = readSnapshot(file);
  } catch (err) {
    const stamp = Date.now();
    const aside = `${file}.bad-${stamp}`;
    try {
      fs.renameSync(file, aside);
      if (fs.existsSync(journal)) fs.renameSync(journal, `${journal}.bad-${stamp}`);
    } catch {
      /* reported below */
    }
    warn(`[registry] ${file} cannot be read (${(err as Error).message}): set aside as ${path.basename(aside)}, starting with an empty registry`);
  }
  const j = readJournal(journal);
  const current = j.generation === snap.generation;
  if (j.generation !== undefined && !current && j.generation > snap.generation)
    warn(`[registry] ${journal} is of generation ${j.generation}, newer than ${REGISTRY_FILE} (${snap.generation}): not replayed`);
  if (current && j.goodBytes < j.totalBytes)
    warn(`[registry] ${j.totalBytes - j.goodBytes} bytes at the end of ${JOURNAL_FILE} were a change cut short (never acknowledged): dropped`);
  const saved = current ? replay(snap.devices, j.ops) : snap.devices;
  const store = new JournalStore({
    journal,
    generation: snap.generation,
    devices: saved.length,
    lines: current ? j.ops.length : 0,
    bytes: current ? j.goodBytes : 0,
    writeSnapshot: (entries, generation) => writeAtomic(file, `${JSON.stringify({ version: 1, generation, devices: entries })}\n`),
    minCompact: opts.minCompact,
    warn,
  });
  const registry = new DeviceRegistry({ maxDevices }, opts.wrap ? opts.wrap(store) : store) as DeviceRegistry & { store: JournalStore };
  registry.store = store;
  const problems = registry.load(saved);
  if (problems.length)
    warn(
      `[registry] ${problems.length} saved entries skipped: ${problems
        .slice(0, 5)
        .map((p) => p.message)
        .join('; ')}${problems.length > 5 ? '; …' : ''}`,
    );
  return registry;
}
