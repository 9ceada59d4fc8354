/**
 * DigestWindow, the notifier's rate limit per key (rule and channel): at most
 * `max` notifications in a fixed window that starts with the first one. What
 * is held back is kept as a short summary and handed out as a digest when the
 * window ends.
 */

/** One notification that was held back. */
export interface HeldSummary {
  alertId?: string;
  deviceId?: string;
  event?: string;
  severity?: string;
  title?: string;
  at: number;
}

export interface Digest {
  key: string;
  windowStart: number;
  windowEnd: number;
  /** Notifications held back, including those beyond the detail limit. */
  count: number;
  held: HeldSummary[];
  /**
   * Scale-out: the window's batch in Redis was taken more than once (an instance
   * closing takes it before the window ends): 1 for the second take, and so on.
   */
  part?: number;
}

interface Window {
  start: number;
  count: number;
  held: HeldSummary[];
  extra: number;
}

/** Held summaries kept per window; beyond it only the count grows. */
export const MAX_HELD_DETAIL = 200;

export class DigestWindow {
  private readonly windows = new Map<string, Window>();
  private readonly ready: Digest[] = [];

  /** `max` 0 turns limiting off. */
  constructor(
    readonly max: number,
    readonly windowMs: number,
  ) {}

  /** True when the notification may go out now; false when it was held for the digest. */
  take(key: string, summary: HeldSummary, now: number): boolean {
    if (this.max <= 0) return true;
    this.roll(key, now);
    let w = this.windows.get(key);
    if (!w) {
      w = { start: now, count: 0, held: [], extra: 0 };
      this.windows.set(key, w);
    }
    if (w.count < this.max) {
      w.count++;
      return true;
    }
    if (w.held.length < MAX_HELD_DETAIL) w.held.push(summary);
    else w.extra++;
    return false;
  }

  /** Digests of every window that has ended, oldest first. */
  due(now: number): Digest[] {
    for (const key of [...this.windows.keys()]) this.roll(key, now);
    return this.ready.splice(0);
  }

  /** Digests of every window, ended or not (on close, so nothing held is lost). */
  flushAll(now: number): Digest[] {
    for (const [key, w] of this.windows) if (w.held.length) this.ready.push(this.digest(key, w, Math.min(now, w.start + this.windowMs)));
    this.windows.clear();
    return this.ready.splice(0);
  }

  /** When the next window with held notifications ends, or undefined. */
  nextDue(): number | undefined {
    let next: number | undefined;
    for (const w of this.windows.values()) {
      if (!w.held.length) continue;
      const end = w.start + this.windowMs;
      if (next === undefined || end < next) next = end;
    }
    return next;
  }

  private roll(key: string, now: number): void {
    const w = this.windows.get(key);
    if (!w || now < w.start + this.windowMs) return;
    if (w.held.length) this.ready.push(this.digest(key, w, w.start + this.windowMs));
    this.windows.delete(key);
  }

  private digest(key: string, w: Window, end: number): Digest {
    return { key, windowStart: w.start, windowEnd: end, count: w.held.length + w.extra, held: w.held };
  }
}
