/**
 * The shared state backend of scale-out (docs/scale-out.md): one ioredis
 * connection per process to REDIS_URL, its health for /health/ready, and the
 * key prefix every shared key starts with. Unset REDIS_URL: no backend, and
 * every node keeps its state in local files as before.
 *
 * Readings never wait for Redis: only alert transitions, actions and
 * notification claims use it, and they wait (in order) while it is away.
 */
import Redis from 'ioredis';
import { clearHealth, reportHealth } from './health';
import { redact } from './redact';

/** Health entry id (kind `redis`): /health/ready fails while it is not ok. */
export const REDIS_HEALTH_ID = 'redis';

export interface SharedBackend {
  readonly redis: Redis;
  /** Prefix of every key: `iot:` (REDIS_PREFIX to change it, e.g. two fleets on one Redis). */
  readonly prefix: string;
  /** True while commands can be sent. */
  ready(): boolean;
}

let backend: SharedBackend | undefined;
let users = 0;

/** The process's backend when REDIS_URL is set, else undefined. Call release() once per acquire. */
export function acquireBackend(env: NodeJS.ProcessEnv = process.env): SharedBackend | undefined {
  const url = (env.REDIS_URL || '').trim();
  if (!url) return undefined;
  users++;
  if (backend) return backend;
  const redis = new Redis(url, {
    // Commands fail fast while the connection is down; callers queue and retry (shared-alerts.ts).
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5000,
    retryStrategy: (times) => Math.min(100 * times, 2000),
    lazyConnect: false,
  });
  let lastError = '';
  const report = (): void => {
    const ok = redis.status === 'ready';
    reportHealth(REDIS_HEALTH_ID, {
      kind: 'redis',
      ok,
      detail: ok
        ? `connected to ${redact(url)}`
        : `not connected to ${redact(url)} (${redis.status}${lastError ? `: ${lastError}` : ''}); alert transitions and notifications wait, readings go on`,
    });
  };
  redis.on('ready', () => {
    lastError = '';
    report();
  });
  redis.on('error', (err: Error) => {
    lastError = redact(err.message);
    report();
  });
  redis.on('close', report);
  redis.on('reconnecting', report);
  report();
  backend = { redis, prefix: env.REDIS_PREFIX || 'iot:', ready: () => redis.status === 'ready' };
  return backend;
}

/** Drops one user; the last one closes the connection. */
export async function releaseBackend(): Promise<void> {
  if (users > 0) users--;
  if (users > 0 || !backend) return;
  const b = backend;
  backend = undefined;
  clearHealth(REDIS_HEALTH_ID);
  await b.redis.quit().catch(() => b.redis.disconnect());
}

/** True for an error that means "Redis is away, try again later" rather than a bad command. */
export function isConnectionError(err: unknown): boolean {
  const msg = String((err as Error)?.message ?? err);
  return /Connection is closed|enableOfflineQueue|ECONNREFUSED|ECONNRESET|ETIMEDOUT|MaxRetriesPerRequest|Stream isn't writeable|LOADING|connect/i.test(msg);
}
