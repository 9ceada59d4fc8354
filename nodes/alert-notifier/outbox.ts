/**
 * Durable outbox: one JSON file per pending delivery in the node's folder,
 * written atomically (temp file, fsync, rename), so a crash leaves either the
 * old or the new file, never half of one. A small journal of delivered keys
 * lets a restart drop an item that was sent but not yet removed.
 */
import fs from 'fs';
import path from 'path';

export type Channel = 'email' | 'webhook';

/** An attachment as stored: a file path (checked at enqueue) or inline base64 content. */
export interface StoredAttachment {
  filename: string;
  path?: string;
  contentBase64?: string;
  contentType?: string;
}

export interface EmailRequest {
  to: string[];
  subject: string;
  text: string;
  html?: string;
  attachments?: StoredAttachment[];
}

export interface WebhookRequest {
  /** Raw JSON body; the signature is computed over exactly these bytes when sending. */
  body: string;
}

export interface OutboxItem {
  /** File name stem, sortable by creation. */
  id: string;
  channel: Channel;
  /** Idempotency key: `Idempotency-Key` header and email Message-ID. */
  key: string;
  kind: 'alert' | 'event' | 'digest' | 'group';
  createdAt: number;
  attempts: number;
  /** Not before this time (epoch ms). */
  nextAt: number;
  lastError?: string;
  /** What the delivery is about, echoed in delivery results. */
  ref: { alertId?: string; ruleId?: string; deviceId?: string; event?: string; topic?: string; severity?: string; count?: number };
  email?: EmailRequest;
  webhook?: WebhookRequest;
}

const ITEM_EXT = '.item.json';
const JOURNAL = 'delivered.log';
/** Delivered keys are remembered this long for de-duplication. */
export const JOURNAL_KEEP_MS = 48 * 3600_000;

async function writeAtomic(file: string, data: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const fh = await fs.promises.open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.promises.rename(tmp, file);
}

let seq = 0;

/** A new sortable item id: creation time, a per-process sequence and a random tail. */
export function newItemId(now: number, channel: Channel): string {
  seq = (seq + 1) % 1_000_000;
  return `${String(now).padStart(14, '0')}-${String(seq).padStart(6, '0')}-${channel}-${Math.random().toString(36).slice(2, 8)}`;
}

/** A new item, due now and not yet tried; its email or webhook request is filled in by the caller. */
export function newItem(channel: Channel, key: string, kind: OutboxItem['kind'], ref: OutboxItem['ref'], at: number): OutboxItem {
  return { id: newItemId(at, channel), channel, key, kind, createdAt: at, attempts: 0, nextAt: at, ref };
}

export class Outbox {
  private readonly pending = new Map<string, OutboxItem>();
  /** `channel:key` of the pending items, so a duplicate check is one look-up, not a scan. */
  private readonly pendingKeys = new Set<string>();
  private readonly delivered = new Map<string, number>();
  /** Files that could not be read, renamed to `.bad` (reported once by the node). */
  readonly quarantined: string[] = [];

  constructor(
    readonly dir: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Creates the folder, removes stale temp files and loads pending items and the journal. */
  async open(): Promise<OutboxItem[]> {
    await fs.promises.mkdir(this.dir, { recursive: true });
    const names = (await fs.promises.readdir(this.dir)).sort();
    await this.loadJournal();
    for (const name of names) {
      const file = path.join(this.dir, name);
      if (name.includes('.tmp-')) {
        await fs.promises.rm(file, { force: true });
        continue;
      }
      if (!name.endsWith(ITEM_EXT)) continue;
      try {
        const item = JSON.parse(await fs.promises.readFile(file, 'utf8')) as OutboxItem;
        if (!item || typeof item.id !== 'string' || typeof item.key !== 'string' || (item.channel !== 'email' && item.channel !== 'webhook')) {
          throw new Error('not an outbox item');
        }
        if (this.delivered.has(`${item.channel}:${item.key}`)) {
          // Sent just before a crash, not yet removed: never send it twice.
          await fs.promises.rm(file, { force: true });
          continue;
        }
        this.track(item);
      } catch {
        await fs.promises.rename(file, `${file}.bad`).catch(() => undefined);
        this.quarantined.push(name);
      }
    }
    return this.items();
  }

  /** Pending items, oldest first. */
  items(): OutboxItem[] {
    return [...this.pending.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  get size(): number {
    return this.pending.size;
  }

  /** True when this channel already holds or recently delivered the key. */
  has(channel: Channel, key: string): boolean {
    return this.delivered.has(`${channel}:${key}`) || this.pendingKeys.has(`${channel}:${key}`);
  }

  async add(item: OutboxItem): Promise<void> {
    await writeAtomic(this.file(item), JSON.stringify(item));
    this.track(item);
  }

  private track(item: OutboxItem): void {
    this.pending.set(item.id, item);
    this.pendingKeys.add(`${item.channel}:${item.key}`);
  }

  private untrack(item: OutboxItem): void {
    if (this.pending.delete(item.id)) this.pendingKeys.delete(`${item.channel}:${item.key}`);
  }

  async update(item: OutboxItem): Promise<void> {
    if (!this.pending.has(item.id)) return;
    await writeAtomic(this.file(item), JSON.stringify(item));
  }

  /** Delivered: journal the key first, then remove the file. */
  async complete(item: OutboxItem): Promise<void> {
    const at = this.now();
    this.untrack(item);
    this.delivered.set(`${item.channel}:${item.key}`, at);
    if (this.delivered.size > 10_000) this.prune(at);
    await fs.promises.appendFile(path.join(this.dir, JOURNAL), `${at} ${item.channel}:${item.key}\n`);
    await this.remove(item);
  }

  /** Given up: remove without journaling. */
  async remove(item: OutboxItem): Promise<void> {
    this.untrack(item);
    await fs.promises.rm(this.file(item), { force: true });
  }

  private prune(now: number): void {
    for (const [k, t] of this.delivered) if (t < now - JOURNAL_KEEP_MS) this.delivered.delete(k);
  }

  private file(item: OutboxItem): string {
    return path.join(this.dir, `${item.id}${ITEM_EXT}`);
  }

  /** Reads the journal, forgets old entries and rewrites it compacted. */
  private async loadJournal(): Promise<void> {
    const file = path.join(this.dir, JOURNAL);
    let text = '';
    try {
      text = await fs.promises.readFile(file, 'utf8');
    } catch {
      return;
    }
    const cutoff = this.now() - JOURNAL_KEEP_MS;
    for (const line of text.split('\n')) {
      const [at, key] = line.split(' ');
      const t = Number(at);
      if (key && Number.isFinite(t) && t >= cutoff) this.delivered.set(key, t);
    }
    const lines = [...this.delivered].map(([k, t]) => `${t} ${k}\n`).join('');
    await writeAtomic(file, lines);
  }
}
