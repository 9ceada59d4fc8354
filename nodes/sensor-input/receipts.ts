/**
 * Receive times of the messages this input acknowledged, kept on disk, so that
 * a message the broker sends again after a crash gets the time it first had.
 *
 * Why: a reading whose payload carries no device time is stored at the time
 * the app received it. If the app dies after its batch was written but before
 * the PUBACK reached the broker, the broker sends the message again (same
 * packet id, DUP set) and, without this log, it would be stored a second time
 * at its new arrival time: two points for one reading. The log is written
 * (one append per group of acknowledgements) before the PUBACKs are sent, and
 * a redelivery is matched by packet id, size and a hash of topic and payload,
 * so an id the broker reused for another message never borrows a time.
 *
 * Two files, `receipts` and `receipts.old`: when the current one holds
 * `maxRecords / 2` records it becomes the old one. Only the newest receipts
 * matter (a redelivery comes right after the restart), so that is plenty.
 */
import fs from 'fs';
import path from 'path';
import zlib from 'zlib';

const RECORD = 20; // u16 id, u16 unused, u32 bytes, u32 hash, f64 receivedAt

export interface Receipt {
  id: number;
  bytes: number;
  hash: number;
  receivedAt: number;
}

const native = (zlib as unknown as { crc32?: (data: string | Buffer, value?: number) => number }).crc32;

/**
 * CRC-32 of the topic and the payload: enough to tell two messages apart.
 * zlib's native crc32 where Node has it (20.15+, 22.2+), else FNV-1a in JS.
 */
export function messageHash(topic: string, payload: Buffer): number {
  if (native) return native(payload, native(topic));
  let h = 0x811c9dc5;
  for (let i = 0; i < topic.length; i++) h = Math.imul(h ^ topic.charCodeAt(i), 0x01000193);
  for (let i = 0; i < payload.length; i++) h = Math.imul(h ^ payload[i], 0x01000193);
  return h >>> 0;
}

export class ReceiptLog {
  private readonly byId = new Map<number, Receipt>();
  private fd: number | undefined;
  private records = 0;
  private readonly file: string;

  constructor(
    private readonly dir: string,
    private readonly maxRecords = 200_000,
  ) {
    this.file = path.join(dir, 'receipts');
    fs.mkdirSync(dir, { recursive: true });
    for (const f of [`${this.file}.old`, this.file]) this.load(f);
  }

  private load(file: string): void {
    let buf: Buffer;
    try {
      buf = fs.readFileSync(file);
    } catch {
      return;
    }
    for (let o = 0; o + RECORD <= buf.length; o += RECORD) {
      const r = { id: buf.readUInt16LE(o), bytes: buf.readUInt32LE(o + 4), hash: buf.readUInt32LE(o + 8), receivedAt: buf.readDoubleLE(o + 12) };
      this.byId.set(r.id, r);
    }
    if (file === this.file) this.records = Math.floor(buf.length / RECORD);
  }

  /** The first receive time of a redelivered message, if this log acknowledged it. */
  lookup(id: number, bytes: number, hash: number): number | undefined {
    const r = this.byId.get(id);
    return r && r.bytes === bytes && r.hash === hash ? r.receivedAt : undefined;
  }

  /** Appends receipts (before their PUBACKs are sent). */
  record(receipts: Receipt[]): void {
    if (receipts.length === 0) return;
    if (this.fd === undefined || this.records >= this.maxRecords / 2) this.rotate();
    const buf = Buffer.alloc(receipts.length * RECORD);
    receipts.forEach((r, i) => {
      const o = i * RECORD;
      buf.writeUInt16LE(r.id, o);
      buf.writeUInt32LE(r.bytes >>> 0, o + 4);
      buf.writeUInt32LE(r.hash >>> 0, o + 8);
      buf.writeDoubleLE(r.receivedAt, o + 12);
      this.byId.set(r.id, r);
    });
    fs.writeSync(this.fd as number, buf);
    this.records += receipts.length;
  }

  private rotate(): void {
    if (this.fd !== undefined) {
      fs.closeSync(this.fd);
      fs.renameSync(this.file, `${this.file}.old`);
      this.records = 0;
    }
    this.fd = fs.openSync(this.file, 'a');
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}
