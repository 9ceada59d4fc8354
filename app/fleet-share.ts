/**
 * Scale-out: the app's FleetShare (nodes/common/fleet-share.ts) for the
 * dashboard's fleet state, when REDIS_URL is set. Its bounds follow the
 * dashboard's: DASHBOARD_MAX_DEVICES devices, forgotten after
 * DASHBOARD_FORGET_AFTER_H hours without a reading; it exchanges every
 * FLEET_SHARE_INTERVAL_S seconds (default 1).
 */
import { acquireBackend, releaseBackend } from '../nodes/common/redis-state';
import { FleetShare } from '../nodes/common/fleet-share';
import { installId } from '../nodes/common/install-id';
import { redact } from '../nodes/common/redact';

const positive = (v: string | undefined, dflt: number): number => {
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : dflt;
};

export function startFleetShare(env: NodeJS.ProcessEnv, dataDir: string): { share: FleetShare; close(): Promise<void> } | undefined {
  const backend = acquireBackend(env);
  if (!backend) return undefined;
  let warned = false;
  const share = new FleetShare(backend.redis, backend.prefix, {
    maxDevices: positive(env.DASHBOARD_MAX_DEVICES, 10_000),
    ttlMs: positive(env.DASHBOARD_FORGET_AFTER_H, 168) * 3_600_000,
    instance: `${installId(dataDir) || process.pid}`,
    // FLEET_SHARE_INTERVAL_S: a longer period writes a busy device less often (the cost is per device written).
    intervalMs: positive(env.FLEET_SHARE_INTERVAL_S, 1) * 1000,
    onError: (err) => {
      // Redis health (/health/ready) says it is away; one line here, not one a second.
      if (!warned) console.warn(`[app] shared fleet state: Redis unreachable (${redact(err.message)}); each dashboard shows its own devices until it answers`);
      warned = true;
    },
  });
  return {
    share,
    async close() {
      share.close();
      await releaseBackend();
    },
  };
}
