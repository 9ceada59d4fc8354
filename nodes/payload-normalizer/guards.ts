/**
 * Bounded in-memory guards: a duplicate-event filter and a per-device rate limiter.
 * Both evict their oldest entries first, so memory stays bounded whatever arrives.
 */

/** Remembers event keys for `windowMs`; at most `maxEntries` keys. */
export class DuplicateFilter {
  /** key -> time first seen. Map order is insertion order, i.e. oldest first. */
  private readonly seen = new Map<string, number>();

  constructor(readonly windowMs: number, readonly maxEntries = 10000) {}

  /** True when `key` was already seen within the window (the caller drops the message). */
  isDuplicate(key: string, now: number): boolean {
    if (this.windowMs <= 0) return false;
    const first = this.seen.get(key);
    if (first !== undefined && now - first < this.windowMs) return true;
    if (first !== undefined) this.seen.delete(key);
    this.seen.set(key, now);
    this.evict(now);
    return false;
  }

  get size(): number {
    return this.seen.size;
  }

  private evict(now: number): void {
    for (const [key, at] of this.seen) {
      if (this.seen.size > this.maxEntries || now - at >= this.windowMs) this.seen.delete(key);
      else break;
    }
  }
}

interface Bucket {
  tokens: number;
  last: number;
}

/** Token bucket per device: `ratePerSec` messages a second, bursts up to `burst`. 0 turns it off. */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly burst: number;

  constructor(readonly ratePerSec: number, burst?: number, readonly maxDevices = 10000) {
    this.burst = Math.max(1, burst ?? ratePerSec);
  }

  get enabled(): boolean {
    return this.ratePerSec > 0;
  }

  /** True when the device may send this message now; false when it is over its rate. */
  allow(deviceId: string, now: number): boolean {
    if (this.ratePerSec <= 0) return true;
    let b = this.buckets.get(deviceId);
    if (b === undefined) {
      if (this.buckets.size >= this.maxDevices) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
      b = { tokens: this.burst, last: now };
      this.buckets.set(deviceId, b);
    } else {
      const elapsed = now - b.last;
      if (elapsed > 0) {
        b.tokens = Math.min(this.burst, b.tokens + (elapsed * this.ratePerSec) / 1000);
        b.last = now;
      }
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return true;
    }
    return false;
  }

  get size(): number {
    return this.buckets.size;
  }
}
