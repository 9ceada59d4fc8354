/**
 * Scale-out: the notification dedupe journal shared through Redis
 * (docs/scale-out.md). Before a notification enters an instance's outbox, the
 * instance claims `<prefix>notified:<node id>:<channel>:<key>` with SET NX and
 * a TTL: only one instance sends a given notification. The claim holds the
 * instance's token, so the same instance re-claiming after a restart (its
 * outbox retrying) still wins. No node-red import.
 */
import type Redis from 'ioredis';

/** How long a claim is kept: longer than any retry of one notification. */
export const CLAIM_TTL_MS = 7 * 86_400_000;

/** A claim function for NotifierDeps.claim: true when this instance may send. */
export function sharedClaim(redis: Redis, prefix: string, nodeId: string, token: string, onError: (err: Error) => void): (slot: string) => Promise<boolean> {
  return async (slot) => {
    const key = `${prefix}notified:${nodeId}:${slot}`;
    try {
      if ((await redis.set(key, token, 'PX', CLAIM_TTL_MS, 'NX')) === 'OK') return true;
      return (await redis.get(key)) === token;
    } catch (err) {
      // Redis away: deliver (at least once) rather than lose the notification.
      onError(err as Error);
      return true;
    }
  };
}
