/**
 * The registry's journal, <DATA_DIR>/devices.journal, beside the snapshot
 * devices.json: one JSON line per change (`{"set": entry}` or `{"del": id}`),
 * appended and fdatasync'd before the change is visible, so an API 200 means
 * the change survives kill -9, at the cost of one short append instead of a
 * rewrite of the whole registry. Every `max(minCompact, devices / 5)` lines
 * the registry is compacted: the snapshot rewritten atomically, then the
 * journal emptied.
 *
 * Generations make the order of those two steps safe: the snapshot and the
 * journal's first line (`{"generation": n}`) carry one, and a journal is
 * replayed only over the snapshot of its own generation. A crash after the new
 * snapshot and before the journal is emptied leaves a journal of the old
 * generation, which is ignored: the snapshot already holds its changes (an
 * import, which replaces the snapshot, works the same way).
 */
import fs from 'fs';
import type { DeviceEntry, RegistryStore } from '../nodes/common/device-registry';

export const JOURNAL_FILE = 'devices.journal';
export const JOURNAL_DEFAULTS = { minCompact: 1000 };

export interface JournalOp {
  set?: DeviceEntry;
  del?: string;
}

export interface JournalRead {
  generation?: number;
  ops: JournalOp[];
  /** Bytes of whole, readable lines: anything after them is a change cut by a crash (never acknowledged). */
  goodBytes: number;
  totalBytes: number;
}

/** Reads a journal: its generation, its changes, and where its readable part ends. */
export function readJournal(file: string): JournalRead {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { ops: [], goodBytes: 0, totalBytes: 0 };
    throw err;
  }
  const out: JournalRead = { ops: [], goodBytes: 0, totalBytes: buf.length };
  let at = 0;
  for (;;) {
    const nl = buf.indexOf(10, at);
    if (nl < 0) break;
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(buf.toString('utf8', at, nl));
    } catch {
      break;
    }
    if (at === 0) {
      if (typeof v?.generation !== 'number') break;
      out.generation = v.generation;
    } else if (v && typeof v === 'object' && (typeof v.del === 'string' || (v.set && typeof v.set === 'object'))) out.ops.push(v as JournalOp);
    else break;
    at = nl + 1;
    out.goodBytes = at;
  }
  return out;
}

/** Applies a journal's changes to the snapshot's entries, by id. */
export function replay(entries: unknown[], ops: JournalOp[]): unknown[] {
  const byId = new Map<string, unknown>();
  const odd: unknown[] = []; // no string id: left for the registry's load to report
  for (const e of entries) {
    const id = (e as { id?: unknown } | null)?.id;
    if (typeof id === 'string') byId.set(id, e);
    else odd.push(e);
  }
  for (const op of ops) {
    if (op.del !== undefined) byId.delete(op.del);
    else if (op.set && typeof op.set.id === 'string') byId.set(op.set.id, op.set);
  }
  return [...odd, ...byId.values()];
}

export interface JournalStoreOptions {
  journal: string;
  /** The generation of the snapshot now on disk. */
  generation: number;
  /** Devices in that snapshot (for the compaction threshold). */
  devices: number;
  /** Lines already in the journal (replayed at start) and its readable length in bytes. */
  lines: number;
  bytes: number;
  /** Writes the snapshot of a generation atomically (registry-store.ts). */
  writeSnapshot: (entries: DeviceEntry[], generation: number) => void;
  minCompact?: number;
  warn?: (line: string) => void;
}

/** The RegistryStore of the app: one journal line per change, a snapshot now and then. */
export class JournalStore implements RegistryStore {
  private fd: number;
  private generation: number;
  private lines: number;
  private bytes: number;
  private compactAt: number;
  private readonly minCompact: number;
  private stale = false;
  /** Changes and compactions done, for the benchmark and tests. */
  readonly counts = { appends: 0, compactions: 0 };

  constructor(private readonly o: JournalStoreOptions) {
    this.minCompact = o.minCompact ?? JOURNAL_DEFAULTS.minCompact;
    this.generation = o.generation;
    this.lines = o.lines;
    this.bytes = o.bytes;
    this.fd = fs.openSync(o.journal, 'a+', 0o600);
    // Drop a line cut by a crash (and a journal of another generation), so appends start on a clean line.
    if (fs.fstatSync(this.fd).size !== this.bytes || this.bytes === 0) this.restart(this.bytes === 0);
    this.compactAt = this.threshold(o.devices);
  }

  private threshold(devices: number): number {
    return Math.max(this.minCompact, Math.ceil(devices / 5));
  }

  /** Cuts the journal to its readable part, or empties it with a new header. */
  private restart(fresh: boolean): void {
    if (fresh) {
      fs.ftruncateSync(this.fd, 0);
      const head = `${JSON.stringify({ generation: this.generation })}\n`;
      fs.writeSync(this.fd, head);
      this.bytes = Buffer.byteLength(head);
      this.lines = 0;
    } else fs.ftruncateSync(this.fd, this.bytes);
    fs.fdatasyncSync(this.fd);
  }

  change(id: string, entry: DeviceEntry | undefined, all: () => DeviceEntry[]): void {
    // A journal not yet restarted for the snapshot's generation would be ignored at the next start.
    if (this.stale) {
      this.restart(true);
      this.stale = false;
    }
    const line = `${JSON.stringify(entry ? { set: entry } : { del: id })}\n`;
    try {
      fs.writeSync(this.fd, line);
      fs.fdatasyncSync(this.fd);
    } catch (err) {
      // A half-written line must not glue onto the next one.
      try {
        fs.ftruncateSync(this.fd, this.bytes);
      } catch {
        /* reported by the throw below; the next start drops the torn line */
      }
      throw err;
    }
    this.bytes += Buffer.byteLength(line);
    this.lines++;
    this.counts.appends++;
    if (this.lines < this.compactAt) return;
    try {
      this.compact(all());
    } catch (err) {
      // The change is safe in the journal; try again after as many changes more.
      this.compactAt = this.lines + this.threshold(0);
      this.o.warn?.(`[registry] compaction failed (${(err as Error).message}); the journal keeps every change`);
    }
  }

  /** An import: the whole registry as the next generation's snapshot, then an empty journal. */
  replace(entries: DeviceEntry[]): void {
    this.compact(entries);
  }

  private compact(entries: DeviceEntry[]): void {
    this.o.writeSnapshot(entries, this.generation + 1);
    this.generation++;
    this.stale = true;
    this.restart(true);
    this.stale = false;
    this.compactAt = this.threshold(entries.length);
    this.counts.compactions++;
  }

  close(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      /* already closed */
    }
  }
}
