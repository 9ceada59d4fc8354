/**
 * One HTTP request per batch to InfluxDB's write endpoint.
 *
 * We use Node's fetch directly instead of @influxdata/influxdb-client's
 * WriteApi: the writer needs per-batch control over the status code,
 * Retry-After, partial-write answers (to isolate the bad lines) and 413 (to
 * split), and its own disk spool instead of the client's in-memory retry buffer.
 * 1.x: POST /write?db=&rp=&precision=ms; 2.x/3.x: POST /api/v2/write?org=&bucket=&precision=ms.
 */
import { promisify } from 'util';
import zlib from 'zlib';
import { parseRetryAfter } from '../common/backoff';

const gzip = promisify(zlib.gzip);

export interface WriteTarget {
  version: 1 | 2;
  /** Base URL, e.g. http://127.0.0.1:8086 (a path prefix is kept). */
  url: string;
  database: string;
  retentionPolicy: string;
  org: string;
  bucket: string;
  token?: string;
  user?: string;
  password?: string;
  gzip: boolean;
  timeoutMs: number;
}

/** What the server said about one request. */
export type WriteResult =
  | { kind: 'ok' }
  /** Unreachable, slow, 5xx, 429, auth or missing database: keep the data and retry later. */
  | { kind: 'retry'; status?: number; message: string; retryAfterMs?: number }
  /** 413: the body is too large for the server; split it. */
  | { kind: 'tooLarge'; status: number; message: string }
  /** 400/422 and other 4xx: some lines are bad; isolate them. */
  | { kind: 'badData'; status: number; message: string };

export function writeUrl(t: WriteTarget): string {
  const base = t.url.replace(/\/+$/, '');
  const q = new URLSearchParams();
  if (t.version === 1) {
    q.set('db', t.database);
    if (t.retentionPolicy) q.set('rp', t.retentionPolicy);
    q.set('precision', 'ms');
    return `${base}/write?${q}`;
  }
  q.set('org', t.org);
  q.set('bucket', t.bucket);
  q.set('precision', 'ms');
  return `${base}/api/v2/write?${q}`;
}

export function authHeader(t: WriteTarget): string | undefined {
  if (t.token) return `Token ${t.token}`;
  if (t.user) return `Basic ${Buffer.from(`${t.user}:${t.password ?? ''}`).toString('base64')}`;
  return undefined;
}

/** The server's error text: 1.x `{"error":..}`, 2.x `{"message":..}`, or the plain body. */
export function serverMessage(body: string): string {
  try {
    const j = JSON.parse(body) as { error?: unknown; message?: unknown };
    if (typeof j.error === 'string') return j.error;
    if (typeof j.message === 'string') return j.message;
  } catch {
    /* not JSON */
  }
  return body.trim().slice(0, 2000);
}

export function classify(status: number, message: string, retryAfter?: string | null): WriteResult {
  if (status >= 200 && status < 300) return { kind: 'ok' };
  const text = message || `HTTP ${status}`;
  if (status === 413) return { kind: 'tooLarge', status, message: text };
  if (status >= 500 || status === 429 || status === 408 || status === 401 || status === 403 || status === 404) {
    return { kind: 'retry', status, message: `HTTP ${status}: ${text}`, retryAfterMs: parseRetryAfter(retryAfter) };
  }
  return { kind: 'badData', status, message: text };
}

/** POSTs a batch body; never throws (network failures become `retry`). */
export async function postLines(t: WriteTarget, body: string, signal?: AbortSignal): Promise<WriteResult> {
  const headers: Record<string, string> = { 'Content-Type': 'text/plain; charset=utf-8' };
  const auth = authHeader(t);
  if (auth) headers.Authorization = auth;
  let payload: string | Buffer = body;
  if (t.gzip) {
    payload = await gzip(body);
    headers['Content-Encoding'] = 'gzip';
  }
  const timeout = AbortSignal.timeout(t.timeoutMs);
  try {
    const res = await fetch(writeUrl(t), {
      method: 'POST',
      headers,
      // Buffer is a valid fetch body in Node; the DOM typings do not know it.
      body: payload as unknown as string,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    const text = res.status === 204 ? '' : await res.text();
    return classify(res.status, serverMessage(text), res.headers.get('retry-after'));
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (timeout.aborted) return { kind: 'retry', message: `no answer within ${t.timeoutMs} ms` };
    if (signal?.aborted) return { kind: 'retry', message: 'request aborted (node closing)' };
    return { kind: 'retry', message: e.cause?.code ? `${e.cause.code} ${e.cause.message ?? ''}`.trim() : e.message };
  }
}

/**
 * One batch to the server: {@link postLines}, and on 1.x a 404 (the database
 * is missing, e.g. a fresh server) also creates the database, so the retry
 * that follows succeeds. The answer is the write's, whatever the creation did.
 */
export async function writeBatch(t: WriteTarget, body: string, signal?: AbortSignal): Promise<WriteResult> {
  const r = await postLines(t, body, signal);
  if (r.kind === 'retry' && r.status === 404 && t.version === 1) await ensureDatabase(t);
  return r;
}

/**
 * 1.x only: CREATE DATABASE (a no-op when it exists), so a fresh server works
 * without a set-up step. Best effort: errors (no admin right...) are returned, not thrown.
 */
export async function ensureDatabase(t: WriteTarget): Promise<string | undefined> {
  if (t.version !== 1) return undefined;
  const headers: Record<string, string> = {};
  const auth = authHeader(t);
  if (auth) headers.Authorization = auth;
  const q = `CREATE DATABASE "${t.database.replace(/["\\]/g, '\\$&')}"`;
  try {
    const res = await fetch(`${t.url.replace(/\/+$/, '')}/query`, {
      method: 'POST',
      headers,
      body: new URLSearchParams({ q }),
      signal: AbortSignal.timeout(t.timeoutMs),
    });
    return res.ok ? undefined : `HTTP ${res.status}: ${serverMessage(await res.text())}`;
  } catch (err) {
    return (err as Error).message;
  }
}
