/** Per-device minimum interval between commands (servo-command's rate limit); at most 10 000 devices remembered. */
export class MinInterval {
  private last = new Map<string, number>();
  constructor(private readonly intervalMs: number) {}

  /** Returns 0 and records the call when allowed, else the milliseconds to wait. */
  take(key: string, now: number): number {
    if (this.intervalMs <= 0) return 0;
    const prev = this.last.get(key);
    if (prev !== undefined && now - prev < this.intervalMs) return this.intervalMs - (now - prev);
    this.last.set(key, now);
    if (this.last.size > 10_000) this.last.delete(this.last.keys().next().value as string);
    return 0;
  }
}
