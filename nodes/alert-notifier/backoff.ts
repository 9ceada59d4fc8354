/** Retry delays: exponential growth, capped, with jitter so retries from many nodes spread out. */

export interface BackoffOptions {
  /** Delay before the first retry, ms. */
  initialMs: number;
  /** Upper bound of any delay, ms. */
  maxMs: number;
  /** Growth per failed attempt. */
  factor: number;
  /** Fraction of the delay that is random: 0.5 gives a delay in [d/2, d]. */
  jitter: number;
}

export const BACKOFF_DEFAULTS: BackoffOptions = { initialMs: 2000, maxMs: 30_000, factor: 2, jitter: 0.5 };

/**
 * Delay before retry number `attempt` (1 = first retry), in
 * [(1 - jitter) * d, d] where d = min(maxMs, initialMs * factor^(attempt-1)).
 */
export function backoffDelay(attempt: number, opts: BackoffOptions = BACKOFF_DEFAULTS, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(attempt));
  // Cap the exponent so large attempt counts cannot overflow to Infinity.
  const raw = opts.initialMs * Math.pow(opts.factor, Math.min(n - 1, 60));
  const capped = Math.min(opts.maxMs, raw);
  const jitter = Math.min(1, Math.max(0, opts.jitter));
  return Math.round(capped * (1 - jitter * random()));
}
