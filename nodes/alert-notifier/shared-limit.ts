/**
 * Scale-out: the notifier's rate limit and its digests, once for all instances
 * (docs/scale-out.md). The shared window is a fixed-window counter in Redis,
 * `<prefix>rate:<node id>:<rule>|<channel>`, that starts with its first
 * notification and expires with the window; `:start` holds the window's start.
 * N instances send at most `rateMax` per window together, not N times it.
 *
 * What the shared count refuses goes, in the same Lua call, into the window's
 * batch: `:held` (the summaries, at most MAX_HELD_DETAIL) and `:batch` (its
 * window start, the count of everything refused, and which part it is). Each
 * instance that had something refused looks at the batch when the window ends;
 * the first one takes it (one Lua call reads and empties it) and sends the one
 * digest with the total count, the others find it taken. A batch an ended
 * window left behind is handed to the next instance refused in a new window,
 * so two windows never mix. A batch expires KEEP_MS after its window.
 *
 * Every batch is also listed in the node's `:pending` set (by window end), in
 * the same calls: added when a refusal goes into it, removed when it is taken.
 * So a batch whose instances died before its window ended is not lost: every
 * instance's digest timer looks at the set's first entries (one ZRANGE) every
 * `sweepMs`, and takes a batch whose window ended more than `graceMs` ago (the
 * instances that held it normally take it first).
 *
 * Redis away or slow (no answer within `timeoutMs`): the local DigestWindow
 * decides, holds and digests alone, so nothing waits and nothing is lost;
 * `mode` says so (health). No node-red import.
 */
import type Redis from 'ioredis';
import { Digest, DigestWindow, HeldSummary, MAX_HELD_DETAIL } from './digest-window';
import { COLLECT, TAKE } from './shared-limit-lua';

type Answer = Array<string | number>;
type Limited = Redis & {
  iotRateTake(...args: Array<string | number>): Promise<Answer>;
  iotRateCollect(...args: Array<string | number>): Promise<Answer>;
};

/** The limit a notifier asks, and the digests of what it held: shared when it can be, local when Redis does not answer. */
export interface RateGate {
  take(key: string, summary: HeldSummary, at: number): Promise<boolean>;
  /** `shared`, or `local` while Redis does not answer (the last call fell back). */
  readonly mode: 'shared' | 'local';
  /** When the next digest may be due (shared: also the next look for batches nobody took), or undefined when nothing is held. */
  nextDue(): number | undefined;
  /** Digests of the windows that ended (shared: the batches this instance took). */
  due(now: number): Promise<Digest[]>;
  /** Every digest still held, window ended or not (closing: nothing held is lost). */
  flushAll(now: number): Promise<Digest[]>;
}

/** The local limit alone (no REDIS_URL). */
export function localGate(window: DigestWindow): RateGate {
  return {
    mode: 'local',
    take: async (key, summary, at) => window.take(key, summary, at),
    nextDue: () => window.nextDue(),
    due: async (now) => window.due(now),
    flushAll: async (now) => window.flushAll(now),
  };
}

/** How long a batch is kept after its window ends, for an instance to take it. */
export const KEEP_MS = 10 * 60_000;
/** How long after a Redis error a batch is looked at again. */
const RETRY_MS = 1000;
/** How many entries of the pending set one look reads; more are read a second later. */
const SWEEP_LIST = 32;

/** Timing of the shared limit. */
export interface SharedLimitTiming {
  /** A Redis call not answered within this falls back to the local limit. */
  timeoutMs: number;
  /** A batch is taken by any instance once its window ended this long ago. */
  graceMs: number;
  /** How often an instance looks for such batches (one ZRANGE; none without a rate limit). */
  sweepMs: number;
}

export const SHARED_LIMIT_TIMING: SharedLimitTiming = { timeoutMs: 1000, graceMs: 5000, sweepMs: 5000 };

export class SharedRateLimit implements RateGate {
  mode: 'shared' | 'local' = 'shared';
  /** Calls decided locally because Redis did not answer. */
  fallbacks = 0;
  private readonly redis: Limited;
  /** Shared windows in which this instance had something refused: key -> when to look at the batch. */
  private readonly known = new Map<string, number>();
  /** Batches handed to this instance (an ended window's, or a late answer's): sent at the next look. */
  private readonly handed: Digest[] = [];
  private readonly timing: SharedLimitTiming;
  /** When to look at the pending set for batches nobody took (at once after start). */
  private sweepAt = 0;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly nodeId: string,
    private readonly local: DigestWindow,
    private readonly onModeChange: (mode: 'shared' | 'local', error?: string) => void = () => undefined,
    timing: Partial<SharedLimitTiming> = {},
  ) {
    redis.defineCommand('iotRateTake', { numberOfKeys: 5, lua: TAKE });
    redis.defineCommand('iotRateCollect', { numberOfKeys: 5, lua: COLLECT });
    this.redis = redis as Limited;
    this.timing = { ...SHARED_LIMIT_TIMING, ...timing };
  }

  async take(key: string, summary: HeldSummary, at: number): Promise<boolean> {
    if (this.local.max <= 0) return true;
    let answer: Answer;
    try {
      const args = [this.local.windowMs, at, this.local.max, JSON.stringify(summary), MAX_HELD_DETAIL, KEEP_MS, key];
      // A late answer still counts: what it put into the batch goes out (again, at least once) rather than being lost.
      answer = await this.withTimeout(this.redis.iotRateTake(...this.keys(key), ...args), (late) => this.refused(key, late, at));
    } catch (err) {
      this.fallbacks++;
      this.setMode('local', (err as Error).message);
      return this.local.take(key, summary, at);
    }
    this.setMode('shared');
    return !this.refused(key, answer, at);
  }

  nextDue(): number | undefined {
    let next = this.handed.length ? 0 : this.local.nextDue();
    for (const at of this.known.values()) if (next === undefined || at < next) next = at;
    // Without a rate limit nothing is ever held, so there is nothing to look for.
    if (this.local.max > 0 && (next === undefined || this.sweepAt < next)) next = this.sweepAt;
    return next;
  }

  async due(now: number): Promise<Digest[]> {
    return this.collect(now, false);
  }

  async flushAll(now: number): Promise<Digest[]> {
    return this.collect(now, true);
  }

  /** Reads a take's answer [count, ttl, start, ...an ended window's batch]; true when it was refused. */
  private refused(key: string, answer: Answer, at: number): boolean {
    const [count, ttl] = answer.slice(0, 2).map(Number);
    if (count <= this.local.max) return false;
    if (answer.length > 3) this.handed.push(this.digest(key, answer.slice(3)));
    this.known.set(key, at + ttl);
    return true;
  }

  private async collect(now: number, force: boolean): Promise<Digest[]> {
    const out = [...(force ? this.local.flushAll(now) : this.local.due(now)), ...this.handed.splice(0)];
    for (const [key, at] of [...this.known]) {
      if (!force && at > now) continue;
      let reply: Answer;
      try {
        const late = (r: Answer): void => void (r[0] === 'take' && this.handed.push(this.digest(key, r.slice(1))));
        reply = await this.withTimeout(this.redis.iotRateCollect(...this.keys(key), force ? '1' : '0', key, ''), late);
        this.setMode('shared');
      } catch (err) {
        // The batch stays in Redis (KEEP_MS): looked at again, or taken by another instance.
        this.setMode('local', (err as Error).message);
        this.known.set(key, now + RETRY_MS);
        continue;
      }
      if (reply[0] === 'wait') {
        this.known.set(key, now + Math.max(Number(reply[1]), 0) + 5);
        continue;
      }
      // Taken (by this instance or another), or gone: nothing of it waits here any more.
      this.known.delete(key);
      if (reply[0] === 'take') out.push(this.digest(key, reply.slice(1), force ? now : undefined));
    }
    if (!force && this.local.max > 0 && now >= this.sweepAt) out.push(...(await this.sweep(now)));
    return out;
  }

  /** Takes the batches whose window ended more than `graceMs` ago and that nobody took (their instances died). */
  private async sweep(now: number): Promise<Digest[]> {
    const { graceMs, sweepMs } = this.timing;
    this.sweepAt = now + sweepMs;
    let listed: string[];
    try {
      listed = await this.withTimeout(this.redis.zrange(this.pendingKey(), 0, SWEEP_LIST - 1, 'WITHSCORES'), () => undefined);
    } catch {
      return []; // Looked at again in `sweepMs`; the batches stay in Redis meanwhile.
    }
    const cutoff = now - graceMs;
    const out: Digest[] = [];
    for (let i = 0; i < listed.length; i += 2) {
      const [key, end] = [listed[i], Number(listed[i + 1])];
      if (end > cutoff) {
        // Sorted by window end: the rest is not due yet; look again when the first one is.
        this.sweepAt = Math.min(this.sweepAt, Math.max(end + graceMs, now + RETRY_MS));
        return out;
      }
      try {
        const late = (r: Answer): void => void (r[0] === 'take' && this.handed.push(this.digest(key, r.slice(1))));
        const reply = await this.withTimeout(this.redis.iotRateCollect(...this.keys(key), '0', key, cutoff), late);
        if (reply[0] === 'take') out.push(this.digest(key, reply.slice(1)));
        if (reply[0] !== 'wait') this.known.delete(key);
      } catch {
        return out;
      }
    }
    if (listed.length === 2 * SWEEP_LIST) this.sweepAt = now + RETRY_MS;
    return out;
  }

  /** A batch [start, count, part, ...summaries] as a Digest; it ends with its window unless taken early. */
  private digest(key: string, batch: Answer, takenAt?: number): Digest {
    const [start, count, part] = batch.slice(0, 3).map(Number);
    const end = start + this.local.windowMs;
    const held = batch.slice(3).map((m) => JSON.parse(String(m)) as HeldSummary);
    return { key, windowStart: start, windowEnd: takenAt === undefined ? end : Math.min(end, takenAt), count, held, ...(part ? { part } : {}) };
  }

  private keys(key: string): string[] {
    const id = `${this.prefix}rate:${this.nodeId}:${key}`;
    return [id, `${id}:start`, `${id}:held`, `${id}:batch`, this.pendingKey()];
  }

  private pendingKey(): string {
    return `${this.prefix}rate:${this.nodeId}:pending`;
  }

  private setMode(mode: 'shared' | 'local', error?: string): void {
    if (mode === this.mode) return;
    this.mode = mode;
    this.onModeChange(mode, error);
  }

  /** Rejects after `timeoutMs`; an answer arriving after that goes to `onLate`. */
  private withTimeout<T>(p: Promise<T>, onLate: (v: T) => void): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        reject(new Error(`Redis did not answer within ${this.timing.timeoutMs} ms`));
      }, this.timing.timeoutMs);
    });
    p.then((v) => timedOut && onLate(v)).catch(() => undefined);
    return Promise.race([p, late]).finally(() => clearTimeout(timer));
  }
}
