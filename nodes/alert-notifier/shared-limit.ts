/**
 * Scale-out: the notifier's rate limit counted once for all instances
 * (docs/scale-out.md). The shared window is a fixed-window counter in Redis,
 * `<prefix>rate:<node id>:<rule>|<channel>`, that starts with its first
 * notification and expires with the window (INCR, PEXPIRE on the first, one
 * Lua call): N instances send at most `rateMax` per window together, not N
 * times it. What the shared count refuses is held in this instance's
 * DigestWindow and goes out in its digest when the window ends.
 *
 * Redis away or slow (no answer within `timeoutMs`): the local DigestWindow
 * decides alone, so nothing waits and nothing is lost; `mode` says so (health).
 * No node-red import.
 */
import type Redis from 'ioredis';
import type { DigestWindow, HeldSummary } from './digest-window';

const TAKE = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}
`;

type Limited = Redis & { iotRateTake(key: string, windowMs: number): Promise<[number, number]> };

/** The limit a notifier asks: shared when it can be, local when Redis does not answer. */
export interface RateGate {
  take(key: string, summary: HeldSummary, at: number): Promise<boolean>;
  /** `shared`, or `local` while Redis does not answer (the last take fell back). */
  readonly mode: 'shared' | 'local';
}

/** The local limit alone (no REDIS_URL). */
export function localGate(window: DigestWindow): RateGate {
  return { mode: 'local', take: async (key, summary, at) => window.take(key, summary, at) };
}

export class SharedRateLimit implements RateGate {
  mode: 'shared' | 'local' = 'shared';
  /** Takes decided locally because Redis did not answer. */
  fallbacks = 0;
  private readonly redis: Limited;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly nodeId: string,
    private readonly local: DigestWindow,
    private readonly onModeChange: (mode: 'shared' | 'local', error?: string) => void = () => undefined,
    private readonly timeoutMs = 1000,
  ) {
    redis.defineCommand('iotRateTake', { numberOfKeys: 1, lua: TAKE });
    this.redis = redis as Limited;
  }

  async take(key: string, summary: HeldSummary, at: number): Promise<boolean> {
    if (this.local.max <= 0) return true;
    let answer: [number, number];
    try {
      answer = await this.withTimeout(this.redis.iotRateTake(`${this.prefix}rate:${this.nodeId}:${key}`, this.local.windowMs));
    } catch (err) {
      this.fallbacks++;
      this.setMode('local', (err as Error).message);
      return this.local.take(key, summary, at);
    }
    this.setMode('shared');
    const [count, ttl] = answer.map(Number);
    if (count <= this.local.max) return true;
    this.local.hold(key, summary, at, at + ttl - this.local.windowMs);
    return false;
  }

  private setMode(mode: 'shared' | 'local', error?: string): void {
    if (mode === this.mode) return;
    this.mode = mode;
    this.onModeChange(mode, error);
  }

  private withTimeout<T>(p: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    return Promise.race([p, late]).finally(() => clearTimeout(timer));
  }
}
