/**
 * The writer's batching and delivery, without Node-RED.
 *
 * Lines collect in a buffer that becomes a batch at `batchSize` lines,
 * `maxBatchBytes` bytes (so long lines never make a body the server refuses;
 * a single longer line goes alone) or `flushMs` after its first line. Batches wait in a short in-memory queue and
 * are sent one request at a time. When the server is unavailable (or the
 * queue is full because it is slow), batches go to the disk spool, and while
 * the spool holds anything every new batch goes there too; the spool is
 * replayed oldest first, with backoff that honours Retry-After. (A batch that
 * fails while newer ones already overflowed to the spool is spooled after
 * them: InfluxDB orders by timestamp, not by arrival, so this is harmless.)
 *
 * Holds (durable acknowledgement, see common/ack-ledger.ts): a line added with
 * a key takes a hold on that key for its batch, released once the batch is
 * durable: written (or refused for good by the server), or spooled and
 * fsynced. A spool that cannot be written releases too, and counts the loss.
 */
import { backoffDelay, BackoffOptions } from '../common/backoff';
import { deliver, PostFn, Rejection } from './deliver';
import type { Spool } from './spool';

interface Batch {
  lines: string[];
  /** Keys whose holds are released once these lines are durable. */
  holds: string[];
}

export interface EngineOptions {
  batchSize: number;
  /** Request body size at most, bytes (UTF-8, newlines included); default 50 MB as in influxdb-client-js. */
  maxBatchBytes?: number;
  flushMs: number;
  /** Batches held in memory while one is being sent; beyond that they are spooled. */
  maxQueueBatches: number;
  /** Retry timing; a server's Retry-After may ask for up to 10 x maxMs unless retryAfterMaxMs says otherwise. */
  backoff: BackoffOptions;
  /** Sends one batch body; undefined when no database is configured (spool only). */
  post?: (body: string, signal: AbortSignal) => ReturnType<PostFn>;
  spool: Spool;
  onWritten?(points: number): void;
  onSpooled?(points: number): void;
  onRejected?(r: Rejection): void;
  /** Points lost because the spool could not be written. */
  onSpoolError?(points: number): void;
  /** Takes a hold on a key (a message id); false when the key is not tracked. */
  hold?(key: string): boolean;
  /** Releases a hold that hold(key) took, once its lines are durable. */
  release?(key: string): void;
}

/** Retries start at 0.5 s and grow to 30 s. */
export const WRITER_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000 };

export const ENGINE_DEFAULTS = { batchSize: 5000, maxBatchBytes: 50_000_000, flushMs: 1000, maxQueueBatches: 4, backoff: WRITER_BACKOFF };

export interface EngineState {
  /** Points in memory: buffer, queued batches and the request in flight. */
  queued: number;
  spooled: number;
  written: number;
  rejected: number;
  /** Points deleted because the spool was full, or lost because it could not be written. */
  spoolDropped: number;
  lastError?: string;
  lastErrorAt?: number;
  /** True while waiting to retry after a failure. */
  retrying: boolean;
}

export class WriterEngine {
  private buffer: string[] = [];
  /** Body size of the buffer: its lines in UTF-8 and the newlines between them. */
  private bufferBytes = 0;
  private bufferHolds: string[] = [];
  /** Key of the last hold taken for the buffer: one hold per key and batch. */
  private bufferKey: string | undefined;
  private queue: Batch[] = [];
  private inflight = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryAt = 0;
  private attempts = 0;
  private pumping: Promise<void> | undefined;
  private closing = false;
  private abort = new AbortController();
  written = 0;
  rejected = 0;
  spoolFailed = 0;
  lastError: string | undefined;
  lastErrorAt: number | undefined;

  constructor(private readonly opts: EngineOptions) {
    if (!opts.spool.isEmpty()) this.kick();
  }

  /** Adds one line (no newline inside); `key` holds that message until the line is durable. */
  add(line: string, key?: string): void {
    const maxBytes = this.opts.maxBatchBytes ?? ENGINE_DEFAULTS.maxBatchBytes;
    const bytes = Buffer.byteLength(line) + 1;
    // Close the batch first when this line would take it past the byte cap (before taking holds: a new batch, a new hold).
    if (!this.closing && this.buffer.length > 0 && this.bufferBytes + bytes - 1 > maxBytes) this.flush();
    const held = key !== undefined && key !== this.bufferKey && this.opts.hold?.(key) === true;
    if (this.closing) {
      this.spoolBatch([line], held ? [key as string] : []);
      return;
    }
    this.buffer.push(line);
    this.bufferBytes += bytes;
    if (held) {
      this.bufferHolds.push(key as string);
      this.bufferKey = key;
    }
    if (this.buffer.length >= this.opts.batchSize || this.bufferBytes - 1 >= maxBytes) this.flush();
    else if (!this.flushTimer) this.flushTimer = setTimeout(() => this.flush(), this.opts.flushMs);
  }

  /** Turns the buffer into a batch now. */
  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.buffer.length === 0) return;
    const batch: Batch = { lines: this.buffer, holds: this.bufferHolds };
    this.buffer = [];
    this.bufferBytes = 0;
    this.bufferHolds = [];
    this.bufferKey = undefined;
    const { spool, post } = this.opts;
    if (!post || this.closing || !spool.isEmpty() || this.retryAt > Date.now() || this.queue.length >= this.opts.maxQueueBatches) {
      this.spoolBatch(batch.lines, batch.holds);
    } else {
      this.queue.push(batch);
    }
    this.kick();
  }

  private releaseAll(keys: string[]): void {
    const release = this.opts.release;
    if (release) for (const k of keys) release(k);
  }

  private spoolBatch(lines: string[], releases: string[]): void {
    if (lines.length === 0) {
      this.releaseAll(releases);
      return;
    }
    try {
      this.opts.spool.append(lines.join('\n'), lines.length);
      this.opts.onSpooled?.(lines.length);
    } catch (err) {
      // Disk full or read-only: these points are lost; count and show it, never throw into a timer.
      this.spoolFailed += lines.length;
      this.noteError(`spool write failed, ${lines.length} points dropped: ${(err as Error).message}`);
      this.opts.onSpoolError?.(lines.length);
      this.releaseAll(releases);
      return;
    }
    if (releases.length === 0) return;
    this.opts.spool.whenDurable((err) => {
      if (err) {
        // fsync failed: the data may not be on disk; it is still in the page cache, so count it and go on.
        this.noteError(`spool fsync failed: ${err.message}`);
      }
      this.releaseAll(releases);
    });
  }

  state(): EngineState {
    return {
      queued: this.buffer.length + this.queue.reduce((n, b) => n + b.lines.length, 0) + this.inflight,
      spooled: this.opts.spool.points,
      written: this.written,
      rejected: this.rejected,
      spoolDropped: this.opts.spool.dropped + this.spoolFailed,
      lastError: this.lastError,
      lastErrorAt: this.lastErrorAt,
      retrying: this.retryAt > Date.now(),
    };
  }

  private kick(): void {
    if (this.pumping || !this.opts.post) return;
    const wait = this.retryAt - Date.now();
    if (wait > 0) {
      if (!this.retryTimer)
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          this.kick();
        }, wait);
      return;
    }
    this.pumping = this.pump()
      .catch((err: Error) => {
        // Disk errors (full, read-only...): note them and retry later rather than crash the runtime.
        this.attempts++;
        this.noteError(`spool: ${err.message}`);
        this.retryAt = Date.now() + backoffDelay(this.attempts, this.opts.backoff);
      })
      .finally(() => {
        this.pumping = undefined;
        if (!this.closing && (this.queue.length > 0 || !this.opts.spool.isEmpty())) this.kick();
      });
  }

  private async pump(): Promise<void> {
    const { spool } = this.opts;
    const post = this.opts.post as NonNullable<EngineOptions['post']>;
    while (this.retryAt <= Date.now()) {
      const fromQueue = this.queue.length > 0;
      if (!fromQueue && this.closing) return;
      const rec = fromQueue ? undefined : spool.peek();
      if (!fromQueue && !rec) return;
      const batch = fromQueue ? this.queue[0] : undefined;
      const lines = batch ? batch.lines : (rec as NonNullable<typeof rec>).body.split('\n');
      this.inflight = lines.length;
      let out;
      try {
        out = await deliver(lines, (body) => post(body, this.abort.signal));
      } finally {
        this.inflight = 0;
      }
      this.written += out.written;
      if (out.written) this.opts.onWritten?.(out.written);
      for (const r of out.rejected) {
        this.rejected += r.lines.length;
        this.noteError(`HTTP ${r.status}: ${r.message}`);
        this.opts.onRejected?.(r);
      }
      if (out.retry) {
        this.attempts++;
        this.noteError(out.retry.message);
        this.retryAt =
          Date.now() +
          backoffDelay(this.attempts, { retryAfterMaxMs: this.opts.backoff.maxMs * 10, ...this.opts.backoff }, Math.random, out.retry.retryAfterMs);
        if (batch) {
          // Keep order: the failed part first, then every batch queued after it.
          this.queue.shift();
          this.spoolBatch(out.retry.lines, batch.holds);
          for (const b of this.queue.splice(0)) this.spoolBatch(b.lines, b.holds);
        }
        // A spool record stays where it is and is sent whole again (its written lines overwrite themselves).
        return;
      }
      this.attempts = 0;
      if (batch) {
        this.queue.shift();
        this.releaseAll(batch.holds);
      } else {
        spool.commit(rec as NonNullable<typeof rec>);
      }
    }
  }

  private noteError(message: string): void {
    this.lastError = message;
    this.lastErrorAt = Date.now();
  }

  /**
   * Stops: the buffer becomes a batch, queued batches are sent if the server
   * answers within `graceMs`, and everything not written is spooled.
   */
  async close(graceMs = 3000): Promise<void> {
    this.flush();
    this.closing = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const timer = setTimeout(() => this.abort.abort(), graceMs);
    try {
      if (this.retryAt <= Date.now() && this.queue.length > 0 && !this.pumping) this.kick();
      while (this.pumping) await this.pumping;
    } finally {
      clearTimeout(timer);
    }
    for (const b of this.queue.splice(0)) this.spoolBatch(b.lines, b.holds);
    this.opts.spool.close();
  }
}
