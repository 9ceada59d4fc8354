/**
 * Delivers one batch and isolates what the server refuses.
 *
 * A 413 splits the batch in halves; a 400 for bad data bisects it until the
 * offending lines are alone, so the rest is written and only those lines are
 * rejected with the server's message. InfluxDB 1.x has already stored the good
 * points of a partially failed request; sending them again is harmless, as a
 * point with the same measurement, tags and time overwrites itself.
 */
import type { WriteResult } from './http-write';

export type PostFn = (body: string) => Promise<WriteResult>;

export interface Rejection {
  lines: string[];
  status: number;
  message: string;
}

export interface DeliveryOutcome {
  written: number;
  rejected: Rejection[];
  /** Lines not delivered because the server is unavailable: keep them for later. */
  retry?: { lines: string[]; message: string; status?: number; retryAfterMs?: number };
  requests: number;
}

/**
 * How many of the sent lines the server says it refused, when it says so
 * (1.x `partial write: ... dropped=N`, or one `unable to parse` per bad line).
 */
export function refusedCount(message: string): number | undefined {
  const dropped = /dropped=(\d+)/.exec(message);
  if (dropped) return Number(dropped[1]);
  const parse = message.match(/unable to parse/g);
  return parse ? parse.length : undefined;
}

export async function deliver(lines: string[], post: PostFn): Promise<DeliveryOutcome> {
  const out: DeliveryOutcome = { written: 0, rejected: [], requests: 0 };
  const go = async (part: string[]): Promise<void> => {
    if (part.length === 0) return;
    if (out.retry) {
      out.retry.lines.push(...part);
      return;
    }
    out.requests++;
    const r = await post(part.join('\n'));
    if (r.kind === 'ok') {
      out.written += part.length;
      return;
    }
    if (r.kind === 'retry') {
      out.retry = { lines: [...part], message: r.message, status: r.status, retryAfterMs: r.retryAfterMs };
      return;
    }
    const allBad = r.kind === 'badData' && (refusedCount(r.message) ?? 0) >= part.length;
    if (part.length === 1 || allBad) {
      const message = r.kind === 'tooLarge' ? `line too large for the server (HTTP 413): ${r.message}` : r.message;
      out.rejected.push({ lines: part, status: r.status, message });
      return;
    }
    const mid = Math.ceil(part.length / 2);
    await go(part.slice(0, mid));
    await go(part.slice(mid));
  };
  await go(lines);
  return out;
}
