/**
 * Webhook channel: POSTs (or PUT/PATCH) the stored raw JSON body with an
 * HMAC-SHA256 signature over those exact bytes and an idempotency key.
 */
import http from 'http';
import https from 'https';
import { DeliveryError, Sender } from './delivery';
import type { OutboxItem } from './outbox';
import { signBody } from './signing';

export interface WebhookTarget {
  url: string;
  method: 'POST' | 'PUT' | 'PATCH';
  /** Extra headers (not secret: they are saved in the flow). */
  headers: Record<string, string>;
  /** HMAC key; empty means no X-Signature header. */
  secret: string;
  timeoutMs: number;
}

/** 408, 425, 429 and 5xx are worth retrying; other 4xx and 3xx are not. */
export function retryableStatus(code: number): boolean {
  return code === 408 || code === 425 || code === 429 || code >= 500;
}

/** Retry-After in seconds or as an HTTP date, in ms (capped by the caller). */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isFinite(t) ? Math.max(0, t - now) : undefined;
}

export class WebhookSender implements Sender {
  constructor(private readonly target: WebhookTarget) {}

  send(item: OutboxItem): Promise<string | undefined> {
    const body = item.webhook?.body;
    if (body === undefined) return Promise.reject(new DeliveryError('outbox item has no webhook body', true));
    const t = this.target;
    let url: URL;
    try {
      url = new URL(t.url);
    } catch {
      return Promise.reject(new DeliveryError('webhook URL is not valid', false));
    }
    const headers: Record<string, string | number> = {
      ...t.headers,
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
      'Idempotency-Key': item.key,
      'User-Agent': 'node-red-iot-notifier',
    };
    if (t.secret) headers['X-Signature'] = signBody(body, t.secret);
    const mod = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = mod.request(url, { method: t.method, headers, agent: false, timeout: t.timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < 2048) chunks.push(c);
          size += c.length;
        });
        res.on('error', (err) => reject(new DeliveryError(err.message, false)));
        res.on('end', () => {
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 300) return resolve(`HTTP ${code}`);
          const text = Buffer.concat(chunks).toString('utf8').slice(0, 200).replace(/\s+/g, ' ');
          reject(
            new DeliveryError(`HTTP ${code} from ${url.host}${text ? `: ${text}` : ''}`, !retryableStatus(code), retryAfterMs(res.headers['retry-after'])),
          );
        });
      });
      req.on('timeout', () => req.destroy(new Error(`no answer from ${url.host} within ${t.timeoutMs} ms`)));
      req.on('error', (err: NodeJS.ErrnoException) => reject(new DeliveryError(`${err.code ? `${err.code} ` : ''}${err.message}`, false)));
      req.end(body);
    });
  }
}
