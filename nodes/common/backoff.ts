/**
 * Retry delays for every node that retries (the influx writer's spool, the
 * notifier's deliveries): exponential growth, capped, with jitter so retries
 * from many nodes spread out, and a server's Retry-After honoured.
 */

export interface BackoffOptions {
  /** Delay before the first retry, ms. */
  initialMs: number;
  /** Upper bound of our own delay, ms. */
  maxMs: number;
  /** Growth per failed attempt (default 2). */
  factor?: number;
  /** Fraction of the delay that is random: 0.5 (default) gives a delay in [d/2, d]. */
  jitter?: number;
  /** Longest wait a server's Retry-After can impose, ms (default maxMs). */
  retryAfterMaxMs?: number;
}

export const BACKOFF_DEFAULTS: Required<Omit<BackoffOptions, 'retryAfterMaxMs'>> = { initialMs: 2000, maxMs: 30_000, factor: 2, jitter: 0.5 };

/**
 * Delay before retry number `attempt` (1 = first retry; below 1 counts as 1),
 * in [(1 - jitter) * d, d] where d = min(maxMs, initialMs * factor^(attempt-1)).
 * A `retryAfterMs` from the server wins when it is longer than that delay,
 * capped at `retryAfterMaxMs` so a broken header cannot stall retries for hours.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions = BACKOFF_DEFAULTS, random: () => number = Math.random, retryAfterMs?: number): number {
  const n = Math.max(1, Math.floor(attempt) || 1);
  // Cap the exponent so large attempt counts cannot overflow to Infinity.
  const raw = opts.initialMs * Math.pow(opts.factor ?? 2, Math.min(n - 1, 60));
  const capped = Math.min(opts.maxMs, raw);
  const jitter = Math.min(1, Math.max(0, opts.jitter ?? 0.5));
  const delay = Math.round(capped * (1 - jitter * random()));
  if (retryAfterMs !== undefined && retryAfterMs > delay) return Math.min(retryAfterMs, opts.retryAfterMaxMs ?? opts.maxMs);
  return delay;
}

/** Retry-After header (seconds or HTTP date) -> ms from `now`, or undefined. */
export function parseRetryAfter(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
