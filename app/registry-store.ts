/**
 * The device registry's file, <DATA_DIR>/devices.json: `{version: 1,
 * devices: [{id, name, location, type, owner, updatedAt}]}`. Every change
 * rewrites it atomically (a temporary file, fsync, rename, fsync of the
 * folder), so a crash leaves the old registry or the new one, never half of
 * one. A file that cannot be read is set aside as devices.json.bad-<time> and
 * the registry starts empty, with a warning: the next save must not destroy it.
 */
import fs from 'fs';
import path from 'path';
import { DeviceEntry, DeviceRegistry, REGISTRY_DEFAULTS } from '../nodes/common/device-registry';

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
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const doc = JSON.parse(text) as { devices?: unknown };
  if (!doc || !Array.isArray(doc.devices)) throw new Error('no "devices" list in it');
  return doc.devices;
}

/** REGISTRY_MAX_DEVICES: devices the registry holds (default 50000). */
export function registryMax(value: string | undefined): number {
  if (value === undefined || value === '') return REGISTRY_DEFAULTS.maxDevices;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw new Error(`REGISTRY_MAX_DEVICES must be a whole number from 1 to 1000000, got "${value}"`);
  return n;
}

/** Opens the registry kept in `<dataDir>/devices.json`; problems (skipped entries, an unreadable file) go to `warn`. */
export function openRegistry(dataDir: string, maxDevices: number, warn: (line: string) => void = (l) => console.warn(l)): DeviceRegistry {
  const file = path.join(dataDir, REGISTRY_FILE);
  const registry = new DeviceRegistry({ maxDevices }, (entries: DeviceEntry[]) => writeAtomic(file, `${JSON.stringify({ version: 1, devices: entries })}\n`));
  let saved: unknown[] = [];
  try {
    saved = readRegistryFile(file);
  } catch (err) {
    const aside = `${file}.bad-${Date.now()}`;
    try {
      fs.renameSync(file, aside);
    } catch {
      /* reported below */
    }
    warn(`[registry] ${file} cannot be read (${(err as Error).message}): set aside as ${path.basename(aside)}, starting with an empty registry`);
  }
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
