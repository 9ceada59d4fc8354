/** Retry timing: exponential backoff with jitter that honours a server's Retry-After. */

export interface BackoffOptions {
  /** First delay, ms. */
  baseMs: number;
  /** Longest delay, ms. */
  maxMs: number;
}

export const BACKOFF_DEFAULTS: BackoffOptions = { baseMs: 500, maxMs: 30_000 };

/**
 * Delay before retry number `attempt` (1 = first retry). A Retry-After from the
 * server wins when it is longer than our own delay (capped at 10 x maxMs, so a
 * broken header cannot stall the spool for hours).
 */
export function backoffDelay(attempt: number, opts: BackoffOptions = BACKOFF_DEFAULTS, retryAfterMs?: number, random = Math.random): number {
  const exp = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  const jittered = Math.round(exp / 2 + (random() * exp) / 2);
  if (retryAfterMs !== undefined && retryAfterMs > jittered) return Math.min(retryAfterMs, opts.maxMs * 10);
  return jittered;
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
