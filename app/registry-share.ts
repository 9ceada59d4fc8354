/**
 * Scale-out: the app's device registry shared through Redis
 * (nodes/common/registry-share.ts) when REDIS_URL is set: opened from its
 * files in DATA_DIR as always (the journal keeps every change made here), then
 * kept in step with the other instances every REGISTRY_SHARE_INTERVAL_S
 * seconds (default 1). Unset REDIS_URL: the local registry, as before.
 */
import { acquireBackend, releaseBackend } from '../nodes/common/redis-state';
import { RegistryShare } from '../nodes/common/registry-share';
import { redact } from '../nodes/common/redact';
import { openRegistry } from './registry-store';

export type SharedRegistry = ReturnType<typeof openRegistry>;

export function openSharedRegistry(
  env: NodeJS.ProcessEnv,
  dataDir: string,
  maxDevices: number,
  warn: (line: string) => void = (l) => console.warn(l),
): { registry: SharedRegistry; share?: RegistryShare; close(): Promise<void> } {
  const backend = acquireBackend(env);
  if (!backend) {
    const registry = openRegistry(dataDir, maxDevices, warn);
    return { registry, close: async () => registry.store.close() };
  }
  let warned = false;
  const n = Number(env.REGISTRY_SHARE_INTERVAL_S);
  const share = new RegistryShare(backend.redis, backend.prefix, {
    maxDevices,
    intervalMs: (Number.isFinite(n) && n > 0 ? n : 1) * 1000,
    onError: (err) => {
      // Redis health (/health/ready) says it is away; one line here, not one a second.
      if (!warned) warn(`[registry] shared registry: Redis unreachable (${redact(err.message)}); changes made here are kept and shared once it answers`);
      warned = true;
    },
  });
  const registry = openRegistry(dataDir, maxDevices, warn, { wrap: (store) => share.wrap(store) });
  share.attach(registry);
  // In step from the first moment Redis answers, not one period later.
  if (backend.ready()) void share.exchange();
  else backend.redis.once('ready', () => void share.exchange());
  return {
    registry,
    share,
    async close() {
      share.close();
      registry.store.close();
      await releaseBackend();
    },
  };
}
