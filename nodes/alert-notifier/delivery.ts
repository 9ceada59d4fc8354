/**
 * Delivers outbox items, one at a time per channel, oldest first. A failed
 * attempt keeps the item on disk and pauses the channel with exponential
 * backoff and jitter; a permanent failure (or one older than `giveUpMs`) is
 * removed and reported. Items survive restarts through the outbox.
 */
import { backoffDelay, BackoffOptions } from '../common/backoff';
import type { Channel, Outbox, OutboxItem } from './outbox';

/** A delivery failure; `permanent` ones are never retried. */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export interface Sender {
  /** Delivers the item or throws (a DeliveryError says whether to retry). Returns a short note (e.g. server reply). */
  send(item: OutboxItem): Promise<string | undefined>;
}

export interface DeliveryResult {
  status: 'sent' | 'failed';
  channel: Channel;
  itemId: string;
  key: string;
  kind: OutboxItem['kind'];
  attempts: number;
  ref: OutboxItem['ref'];
  /** Why it failed for good, or the server's reply when sent. */
  reason?: string;
  createdAt: number;
  at: number;
}

export interface ChannelState {
  failures: number;
  blockedUntil: number;
  lastError?: string;
  lastErrorAt?: number;
  sent: number;
  failed: number;
}

export interface DispatcherOptions {
  outbox: Outbox;
  senders: Partial<Record<Channel, Sender>>;
  backoff: BackoffOptions;
  /** Items older than this fail for good after their next failed attempt. */
  giveUpMs: number;
  onResult(result: DeliveryResult): void;
  /** A failed attempt that will be retried (for metrics and status). */
  onRetry?(item: OutboxItem, error: string, delayMs: number): void;
  /** Something changed (depth, channel state): refresh status. */
  onChange?(): void;
  /** The outbox could not record a delivery (disk full...). */
  onStorageError?(err: unknown): void;
  /** Turns an error into safe text (secrets removed). */
  describe?(err: unknown): string;
  now?: () => number;
  random?: () => number;
}

export class Dispatcher {
  private readonly state = new Map<Channel, ChannelState>();
  private readonly busy = new Map<Channel, Promise<void>>();
  private readonly timers = new Map<Channel, NodeJS.Timeout>();
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly opts: DispatcherOptions) {
    this.now = opts.now ?? Date.now;
  }

  channel(ch: Channel): ChannelState {
    let s = this.state.get(ch);
    if (!s) {
      s = { failures: 0, blockedUntil: 0, sent: 0, failed: 0 };
      this.state.set(ch, s);
    }
    return s;
  }

  get depth(): number {
    return this.opts.outbox.size;
  }

  /** Loads pending items; after a restart they are due at once. */
  async start(): Promise<number> {
    const items = await this.opts.outbox.open();
    const now = this.now();
    for (const item of items) item.nextAt = Math.min(item.nextAt, now);
    for (const ch of this.channels()) this.pump(ch);
    return items.length;
  }

  async enqueue(item: OutboxItem): Promise<void> {
    if (this.stopped) throw new Error('notifier is closing');
    await this.opts.outbox.add(item);
    this.opts.onChange?.();
    this.pump(item.channel);
  }

  /** Ends the current backoff of every channel and tries again now. */
  retryNow(): void {
    const now = this.now();
    for (const item of this.opts.outbox.items()) item.nextAt = Math.min(item.nextAt, now);
    for (const ch of this.channels()) {
      this.channel(ch).blockedUntil = 0;
      this.pump(ch);
    }
  }

  /** Stops scheduling and waits (up to `timeoutMs`) for attempts in flight; unsent items stay on disk. */
  async stop(timeoutMs: number): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    const inflight = Promise.all([...this.busy.values()]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([inflight, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    if (timer) clearTimeout(timer);
  }

  private channels(): Channel[] {
    return Object.keys(this.opts.senders) as Channel[];
  }

  private pump(ch: Channel): void {
    if (this.stopped || this.busy.has(ch)) return;
    const t = this.timers.get(ch);
    if (t) {
      clearTimeout(t);
      this.timers.delete(ch);
    }
    const now = this.now();
    const st = this.channel(ch);
    const items = this.opts.outbox.items().filter((i) => i.channel === ch);
    if (!items.length) return;
    const due = items.find((i) => i.nextAt <= now);
    const wakeAt = Math.max(st.blockedUntil, due ? now : Math.min(...items.map((i) => i.nextAt)));
    if (!due || wakeAt > now) {
      this.timers.set(
        ch,
        setTimeout(() => this.pump(ch), Math.max(10, wakeAt - now)),
      );
      return;
    }
    const run = this.attempt(ch, due)
      .catch(() => undefined)
      .finally(() => {
        this.busy.delete(ch);
        this.pump(ch);
      });
    this.busy.set(ch, run);
  }

  private async attempt(ch: Channel, item: OutboxItem): Promise<void> {
    const sender = this.opts.senders[ch];
    const st = this.channel(ch);
    item.attempts++;
    const describe = this.opts.describe ?? ((e: unknown) => (e instanceof Error ? e.message : String(e)));
    try {
      if (!sender) throw new DeliveryError(`channel ${ch} is not configured`, true);
      const note = await sender.send(item);
      st.failures = 0;
      st.blockedUntil = 0;
      st.sent++;
      // Sent is sent: a journal/disk error now must not turn into a second delivery.
      await this.opts.outbox.complete(item).catch((err) => this.opts.onStorageError?.(err));
      this.opts.onResult(this.result(item, 'sent', note));
    } catch (err) {
      const reason = describe(err);
      const now = this.now();
      st.lastError = reason;
      st.lastErrorAt = now;
      const permanent = err instanceof DeliveryError && err.permanent;
      if (permanent || now - item.createdAt >= this.opts.giveUpMs) {
        st.failed++;
        await this.opts.outbox.remove(item);
        const why = permanent ? reason : `gave up after ${item.attempts} attempts: ${reason}`;
        this.opts.onResult(this.result(item, 'failed', why));
      } else {
        st.failures++;
        const retryAfter = err instanceof DeliveryError && err.retryAfterMs ? err.retryAfterMs : 0;
        const delay = backoffDelay(st.failures, this.opts.backoff, this.opts.random, retryAfter);
        st.blockedUntil = now + delay;
        item.nextAt = st.blockedUntil;
        item.lastError = reason;
        await this.opts.outbox.update(item);
        this.opts.onRetry?.(item, reason, delay);
      }
    }
    this.opts.onChange?.();
  }

  private result(item: OutboxItem, status: DeliveryResult['status'], reason?: string): DeliveryResult {
    return {
      status,
      channel: item.channel,
      itemId: item.id,
      key: item.key,
      kind: item.kind,
      attempts: item.attempts,
      ref: item.ref,
      reason,
      createdAt: item.createdAt,
      at: this.now(),
    };
  }
}
