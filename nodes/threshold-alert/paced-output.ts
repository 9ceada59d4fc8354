/**
 * Hands messages on in bursts of at most `burst` per event-loop turn, in order.
 *
 * A timer tick that finds 10,000 silent devices yields 10,000 transitions. Sent
 * in one call, Node-RED clones each for every extra wire before any of them is
 * delivered, and every downstream node's own output piles up behind them: the
 * peak grows with the storm. In bursts, each batch is delivered and handled
 * before the next is created, so what is in flight stays at about `burst`.
 * No node-red import.
 */
export class PacedOutput<T> {
  private readonly queue: T[] = [];
  private head = 0;
  private scheduled: NodeJS.Immediate | undefined;

  constructor(
    private readonly burst: number,
    private readonly deliver: (batch: T[]) => void,
  ) {}

  /** Messages waiting for a later turn. */
  get waiting(): number {
    return this.queue.length - this.head;
  }

  /** Sends now while under one burst and nothing waits; queues the rest (order kept). */
  push(items: readonly T[]): void {
    if (!items.length) return;
    if (!this.waiting && items.length <= this.burst) {
      this.deliver(items.slice());
      return;
    }
    for (const m of items) this.queue.push(m);
    this.schedule();
  }

  /** Drops what waits (node closing). */
  clear(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    this.queue.length = 0;
    this.head = 0;
  }

  private schedule(): void {
    this.scheduled ??= setImmediate(() => {
      this.scheduled = undefined;
      const batch = this.queue.slice(this.head, this.head + this.burst);
      this.head += batch.length;
      if (this.head >= this.queue.length) {
        this.queue.length = 0;
        this.head = 0;
      }
      try {
        this.deliver(batch);
      } finally {
        // Scheduled after the batch went out: its deliveries run before the next batch is made.
        if (this.waiting) this.schedule();
      }
    });
  }
}
