/**
 * Bounded in-memory duplicate-event filter (the per-device rate limit is the
 * TokenBucket in token-bucket.ts). It evicts its oldest entries first, so
 * memory stays bounded whatever arrives.
 */

/** Remembers event keys for `windowMs`; at most `maxEntries` keys. */
export class DuplicateFilter {
  /** key -> time first seen. Map order is insertion order, i.e. oldest first. */
  private readonly seen = new Map<string, number>();

  constructor(
    readonly windowMs: number,
    readonly maxEntries = 10000,
  ) {}

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
