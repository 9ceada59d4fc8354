/**
 * Puts what the rate limit held back into the outbox as digests: when a window
 * ends (one timer for the next due one; a shared gate also sets it to look for
 * batches whose instances died) and, on close, everything still held.
 * What is held, and where, is the RateGate's business (this instance's
 * DigestWindow, or the batches shared in Redis: shared-limit.ts). Used by
 * notifier.ts; no node-red import.
 */
import type { NotificationContent } from './content';
import { digestItem } from './digest';
import type { Digest } from './digest-window';
import { DueTimer } from './due-timer';
import type { Channel, OutboxItem } from './outbox';
import type { RateGate } from './shared-limit';

export interface DigestSenderDeps {
  gate: RateGate;
  content: Pick<NotificationContent, 'unusable' | 'recipients'>;
  now(): number;
  /** True when the outbox already holds (or delivered) this channel's item with this key. */
  has(channel: Channel, key: string): boolean;
  /** Into the outbox; rejects when it cannot take the item. */
  enqueue(item: OutboxItem): Promise<void>;
  /** A digest (or the gate's answer) that could not be put into the outbox. */
  lost(err: unknown): void;
}

export class DigestSender {
  private readonly timer: DueTimer;

  constructor(private readonly deps: DigestSenderDeps) {
    this.timer = new DueTimer(
      () => deps.gate.nextDue(),
      () => this.send(false),
      deps.now,
    );
  }

  /** On start, and after a notification was held: the timer is set for the gate's next due time. */
  schedule(): void {
    this.timer.schedule();
  }

  /** Stops the timer and puts every digest still held into the outbox. */
  async close(): Promise<void> {
    this.timer.stop();
    await this.send(true);
  }

  private async send(all: boolean): Promise<void> {
    const { gate, now } = this.deps;
    let digests: Digest[];
    try {
      digests = await (all ? gate.flushAll(now()) : gate.due(now()));
    } catch (err) {
      this.deps.lost(err);
      return;
    }
    for (const d of digests) await this.enqueue(d).catch((err) => this.deps.lost(err));
  }

  private async enqueue(d: Digest): Promise<void> {
    const item = digestItem(d, this.deps.content, this.deps.now());
    if (item && !this.deps.has(item.channel, item.key)) await this.deps.enqueue(item);
  }
}
