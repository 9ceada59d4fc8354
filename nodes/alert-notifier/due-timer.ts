/**
 * One timer for the next due time of what a notifier holds back (groups,
 * digests): when it fires, `run` takes what is due; once that settled, the
 * timer is set again for whatever is due next.
 */
export class DueTimer {
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly nextDue: () => number | undefined,
    private readonly run: () => Promise<void>,
    private readonly now: () => number,
  ) {}

  /** Sets the timer for the next due time, unless one is set, nothing is held or it was stopped. */
  schedule(): void {
    if (this.stopped || this.timer) return;
    const next = this.nextDue();
    if (next === undefined) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        void this.run().finally(() => this.schedule());
      },
      Math.max(10, next - this.now() + 5),
    );
  }

  /** For good: a run still in flight does not set it again. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
