/**
 * Append-only disk spool of line-protocol batches, replayed oldest first.
 *
 * Layout under `dir`: segment files `<seq>.lp` (12-digit sequence) holding
 * records `#<points> <bytes>\n<body>\n`, and `cursor.json` with the position of
 * the next record to replay. A torn record at the end of the last segment (a
 * crash mid-write) is cut off on open. When the spool grows past `maxBytes`
 * the oldest segments are deleted and their points counted in `dropped`.
 */
import fs from 'fs';
import path from 'path';

export interface SpoolOptions {
  dir: string;
  /** Bound on the spool's size on disk, bytes. */
  maxBytes: number;
  /** Size at which a new segment starts; default maxBytes / 8 within 64 KiB .. 8 MiB. */
  segmentBytes?: number;
}

/** One batch read back from the spool. */
export interface SpoolRecord {
  seq: number;
  offset: number;
  next: number;
  points: number;
  body: string;
}

interface Segment {
  seq: number;
  bytes: number;
  points: number;
}

const NAME = /^(\d{12})\.lp$/;
const segName = (seq: number): string => `${String(seq).padStart(12, '0')}.lp`;

/** Parses the records of one segment file; stops at the first torn or bad record. */
function scanSegment(buf: Buffer): { points: number; validBytes: number } {
  let offset = 0;
  let points = 0;
  while (offset < buf.length) {
    const nl = buf.indexOf(10, offset);
    if (nl < 0) break;
    const m = /^#(\d+) (\d+)$/.exec(buf.toString('latin1', offset, nl));
    if (!m) break;
    const end = nl + 1 + Number(m[2]) + 1;
    if (end > buf.length) break;
    points += Number(m[1]);
    offset = end;
  }
  return { points, validBytes: offset };
}

export class Spool {
  private readonly segments: Segment[] = [];
  private cursor = { seq: 0, offset: 0 };
  /** Points of the head segment already replayed. */
  private headDone = 0;
  private fd: number | undefined;
  private readonly segmentBytes: number;
  /** Appended since the last fsync started. */
  private unsynced = false;
  private syncing = false;
  /** Callers waiting for what was appended before them to reach the disk. */
  private waiters: Array<(err: Error | null) => void> = [];
  /** Points deleted because the spool was full, since this object was made. */
  dropped = 0;

  constructor(private readonly opts: SpoolOptions) {
    this.segmentBytes = opts.segmentBytes ?? Math.max(64 * 1024, Math.min(8 * 1024 * 1024, Math.floor(opts.maxBytes / 8)));
    fs.mkdirSync(opts.dir, { recursive: true });
    this.open();
  }

  private open(): void {
    try {
      this.cursor = JSON.parse(fs.readFileSync(path.join(this.opts.dir, 'cursor.json'), 'utf8'));
    } catch {
      this.cursor = { seq: 0, offset: 0 };
    }
    const seqs = fs
      .readdirSync(this.opts.dir)
      .map((f) => NAME.exec(f))
      .filter((m): m is RegExpExecArray => !!m)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    for (const seq of seqs) {
      const file = path.join(this.opts.dir, segName(seq));
      if (seq < this.cursor.seq) {
        fs.rmSync(file, { force: true });
        continue;
      }
      const buf = fs.readFileSync(file);
      const { points, validBytes } = scanSegment(buf);
      if (validBytes < buf.length) fs.truncateSync(file, validBytes);
      this.segments.push({ seq, bytes: validBytes, points });
    }
    const head = this.segments[0];
    if (!head || head.seq !== this.cursor.seq) {
      // Sequence numbers only grow: an empty spool keeps the cursor's, so new
      // segments are never mistaken for replayed ones on the next open.
      this.cursor = { seq: head ? head.seq : Math.max(1, this.cursor.seq || 1), offset: 0 };
    } else if (this.cursor.offset > 0) {
      const buf = fs.readFileSync(path.join(this.opts.dir, segName(head.seq))).subarray(0, this.cursor.offset);
      this.headDone = scanSegment(buf).points;
    }
    this.dropCompletedHead();
  }

  /** Points waiting to be replayed. */
  get points(): number {
    return this.segments.reduce((n, s) => n + s.points, 0) - this.headDone;
  }

  /** Bytes on disk (including replayed records of the head segment). */
  get bytes(): number {
    return this.segments.reduce((n, s) => n + s.bytes, 0);
  }

  isEmpty(): boolean {
    return this.points === 0;
  }

  /** Appends one batch (lines joined by `\n`) as one record. */
  append(body: string, points: number): void {
    if (points <= 0) return;
    let tail = this.segments[this.segments.length - 1];
    if (!tail || this.fd === undefined || tail.bytes >= this.segmentBytes) {
      this.closeFd();
      const seq = tail ? tail.seq + 1 : Math.max(1, this.cursor.seq);
      tail = { seq, bytes: 0, points: 0 };
      this.segments.push(tail);
      if (this.segments.length === 1) {
        this.cursor = { seq, offset: 0 };
        this.saveCursor();
      }
      this.fd = fs.openSync(path.join(this.opts.dir, segName(seq)), 'a');
    }
    const data = Buffer.from(`#${points} ${Buffer.byteLength(body)}\n${body}\n`);
    fs.writeSync(this.fd, data);
    this.unsynced = true;
    tail.bytes += data.length;
    tail.points += points;
    this.enforceBound();
  }

  private enforceBound(): void {
    while (this.bytes > this.opts.maxBytes && this.segments.length > 1) {
      const head = this.segments.shift() as Segment;
      this.dropped += head.points - this.headDone;
      this.headDone = 0;
      fs.rmSync(path.join(this.opts.dir, segName(head.seq)), { force: true });
      this.cursor = { seq: this.segments[0].seq, offset: 0 };
      this.saveCursor();
    }
  }

  /** The oldest record not yet replayed, or undefined when the spool is empty. */
  peek(): SpoolRecord | undefined {
    const head = this.segments[0];
    if (!head || this.cursor.offset >= head.bytes) return undefined;
    const fd = fs.openSync(path.join(this.opts.dir, segName(head.seq)), 'r');
    try {
      const hdr = Buffer.alloc(48);
      const n = fs.readSync(fd, hdr, 0, hdr.length, this.cursor.offset);
      const nl = hdr.subarray(0, n).indexOf(10);
      const m = nl > 0 ? /^#(\d+) (\d+)$/.exec(hdr.toString('latin1', 0, nl)) : null;
      if (!m) {
        // Cannot happen with our own writes (torn tails are cut on open); if a file was damaged, count its rest as dropped and go on.
        this.dropped += head.points - this.headDone;
        this.cursor.offset = head.bytes;
        this.headDone = head.points;
        this.dropCompletedHead();
        this.saveCursor();
        return this.peek();
      }
      const size = Number(m[2]);
      const body = Buffer.alloc(size);
      fs.readSync(fd, body, 0, size, this.cursor.offset + nl + 1);
      return { seq: head.seq, offset: this.cursor.offset, next: this.cursor.offset + nl + 1 + size + 1, points: Number(m[1]), body: body.toString('utf8') };
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Marks a record as replayed. A record whose segment was dropped meanwhile is ignored. */
  commit(rec: SpoolRecord): void {
    if (rec.seq !== this.cursor.seq || rec.offset !== this.cursor.offset) return;
    this.cursor = { seq: rec.seq, offset: rec.next };
    this.headDone += rec.points;
    this.dropCompletedHead();
    this.saveCursor();
  }

  private dropCompletedHead(): void {
    for (;;) {
      const head = this.segments[0];
      if (!head || this.cursor.offset < head.bytes || head.seq !== this.cursor.seq) return;
      if (this.segments.length === 1) this.closeFd();
      this.segments.shift();
      fs.rmSync(path.join(this.opts.dir, segName(head.seq)), { force: true });
      this.headDone = 0;
      const next = this.segments[0];
      this.cursor = next ? { seq: next.seq, offset: 0 } : { seq: head.seq + 1, offset: 0 };
    }
  }

  private saveCursor(): void {
    const file = path.join(this.opts.dir, 'cursor.json');
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(this.cursor));
    fs.renameSync(`${file}.tmp`, file);
  }

  /**
   * Calls `cb` once everything appended so far is on disk. One fsync serves
   * every caller that arrived while the previous one ran (group commit), so a
   * burst of batches costs one or two fsyncs, not one each.
   */
  whenDurable(cb: (err: Error | null) => void): void {
    if (!this.unsynced && !this.syncing) {
      cb(null);
      return;
    }
    this.waiters.push(cb);
    if (!this.syncing) this.startSync();
  }

  private startSync(): void {
    const waiting = this.waiters;
    this.waiters = [];
    this.unsynced = false;
    const fd = this.fd;
    if (fd === undefined) {
      // Rotation or close synced the file when it closed it.
      for (const cb of waiting) cb(null);
      return;
    }
    this.syncing = true;
    fs.fdatasync(fd, (err) => {
      this.syncing = false;
      // EBADF: the segment was closed meanwhile, and closing syncs it (closeFd).
      const failure = err && err.code !== 'EBADF' ? err : null;
      for (const cb of waiting) cb(failure);
      if (this.waiters.length) this.startSync();
    });
  }

  private closeFd(): void {
    if (this.fd !== undefined) {
      if (this.unsynced || this.syncing) fs.fsyncSync(this.fd);
      fs.closeSync(this.fd);
    }
    this.fd = undefined;
  }

  /** Syncs the tail segment to disk, answers every waiter and releases the file handle. */
  close(): void {
    if (this.fd !== undefined) fs.fsyncSync(this.fd);
    this.unsynced = false;
    this.closeFd();
    const waiting = this.waiters;
    this.waiters = [];
    for (const cb of waiting) cb(null);
  }
}
