/** Webhook signatures and idempotency keys. */
import crypto from 'crypto';

/** `sha256=<hex>`: HMAC-SHA256 of the raw body bytes with the shared secret. */
export function signBody(body: string | Buffer, secret: string): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Constant-time check of a received `X-Signature` header, for receivers and tests. */
export function verifySignature(body: string | Buffer, secret: string, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signBody(body, secret));
  const got = Buffer.from(header);
  return expected.length === got.length && crypto.timingSafeEqual(expected, got);
}

/** Hex SHA-256 of the parts joined by `|`. */
export function hashKey(...parts: Array<string | number>): string {
  return crypto.createHash('sha256').update(parts.map(String).join('|')).digest('hex');
}

/**
 * Idempotency key of one alert transition: the same alert, state and `since`
 * always give the same key, so a receiver can drop a retried delivery.
 * A repeat reminder keeps the state and `since` of the firing, so it adds its own
 * sequence (`repeat`) to stay distinct from the first notification.
 */
export function transitionKey(alert: { id: string; state: string; since: number }, repeat?: string | number): string {
  return repeat === undefined ? hashKey(alert.id, alert.state, alert.since) : hashKey(alert.id, alert.state, alert.since, 'repeat', repeat);
}
