/**
 * Per-device rate limit of the normalizer: a token bucket per device, the
 * oldest device evicted first so memory stays bounded.
 */

interface Bucket {
  tokens: number;
  last: number;
}

/** Token bucket per device: `ratePerSec` messages a second, bursts up to `burst`. 0 turns it off. */
export class TokenBucket {
  private readonly buckets = new Map<string, Bucket>();
  private readonly burst: number;

  constructor(
    readonly ratePerSec: number,
    burst?: number,
    readonly maxDevices = 10000,
  ) {
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
