/**
 * Login throttling shared by every auth path (basic auth, the dashboard's
 * socket, the editor's /auth/token): a sliding window of failures per address
 * and per user name. An attempt counts as a failure from the moment it starts,
 * so a burst of parallel guesses is cut at the limit before any password is
 * checked; a success takes its own attempt back.
 *
 * The per-user limit would let anyone lock a user out, so an address where that
 * user logged in recently is exempt from it (never from its own address limit).
 */

export interface ThrottleOptions {
  /** Failures are remembered this long (ms). */
  windowMs: number;
  /** Failures allowed per address in a window, for all user names together. */
  maxPerAddress: number;
  /** Failures allowed per user name in a window, from all addresses together. */
  maxPerUser: number;
  /** How long a successful login exempts its address from that user's limit (ms). */
  trustMs: number;
  /** Addresses, users and trusted pairs tracked at most (oldest forgotten first). */
  maxKeys: number;
}

export const THROTTLE_DEFAULTS: ThrottleOptions = {
  windowMs: 15 * 60_000,
  maxPerAddress: 10,
  maxPerUser: 50,
  trustMs: 24 * 3600_000,
  maxKeys: 10_000,
};

export type Verdict = { allowed: true } | { allowed: false; scope: 'address' | 'user'; retryAfterSec: number };

/** The key an address is counted under: IPv4-mapped IPv6 as IPv4, IPv6 by its /64 (one host's usual share). */
export function addressKey(address: string | undefined): string {
  const a = (address || 'unknown').toLowerCase();
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (v4) return v4[1];
  if (!a.includes(':')) return a;
  const [head, tail = ''] = a.split('::');
  const groups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const full = [...groups, ...Array(Math.max(0, 8 - groups.length - tailGroups.length)).fill('0'), ...tailGroups];
  return `${full
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** A bounded map of sliding windows: each key keeps at most `max` timestamps. */
class Windows {
  private readonly map = new Map<string, number[]>();
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly maxKeys: number,
  ) {}

  private live(key: string, now: number): number[] {
    const list = (this.map.get(key) || []).filter((t) => t + this.windowMs > now);
    if (list.length) this.map.set(key, list);
    else this.map.delete(key);
    return list;
  }

  /** Seconds until one more attempt fits, or 0 when it fits now. */
  wait(key: string, now: number): number {
    const list = this.live(key, now);
    return list.length < this.max ? 0 : Math.max(1, Math.ceil((list[0] + this.windowMs - now) / 1000));
  }

  add(key: string, now: number): void {
    const list = this.live(key, now);
    list.push(now);
    this.map.delete(key);
    this.map.set(key, list);
    if (this.map.size > this.maxKeys) this.map.delete(this.map.keys().next().value as string);
  }

  /** Takes back the newest attempt (a success). */
  remove(key: string): void {
    const list = this.map.get(key);
    if (!list) return;
    list.pop();
    if (!list.length) this.map.delete(key);
  }

  get size(): number {
    return this.map.size;
  }
}

export class LoginThrottle {
  private readonly opts: ThrottleOptions;
  private readonly byAddress: Windows;
  private readonly byUser: Windows;
  private readonly trusted = new Map<string, number>();

  constructor(
    opts: Partial<ThrottleOptions> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.opts = { ...THROTTLE_DEFAULTS, ...opts };
    this.byAddress = new Windows(this.opts.maxPerAddress, this.opts.windowMs, this.opts.maxKeys);
    this.byUser = new Windows(this.opts.maxPerUser, this.opts.windowMs, this.opts.maxKeys);
  }

  private pair(user: string, address: string): string {
    return `${user}\u0000${addressKey(address)}`;
  }

  private isTrusted(user: string, address: string, now: number): boolean {
    const until = this.trusted.get(this.pair(user, address));
    return until !== undefined && until > now;
  }

  /** Whether an attempt would be allowed, without counting one. */
  check(user: string, address: string): Verdict {
    const now = this.now();
    const a = this.byAddress.wait(addressKey(address), now);
    if (a) return { allowed: false, scope: 'address', retryAfterSec: a };
    if (this.isTrusted(user, address, now)) return { allowed: true };
    const u = this.byUser.wait(user, now);
    return u ? { allowed: false, scope: 'user', retryAfterSec: u } : { allowed: true };
  }

  /** Counts an attempt as a failure, or refuses it; call `succeeded` when the password was right. */
  begin(user: string, address: string): Verdict {
    const verdict = this.check(user, address);
    if (!verdict.allowed) return verdict;
    const now = this.now();
    this.byAddress.add(addressKey(address), now);
    this.byUser.add(user, now);
    return verdict;
  }

  /** Takes back the attempt `begin` counted and trusts this address for this user. */
  succeeded(user: string, address: string): void {
    this.byAddress.remove(addressKey(address));
    this.byUser.remove(user);
    const key = this.pair(user, address);
    this.trusted.delete(key);
    this.trusted.set(key, this.now() + this.opts.trustMs);
    if (this.trusted.size > this.opts.maxKeys) this.trusted.delete(this.trusted.keys().next().value as string);
  }

  /** Keys tracked (for tests and the system page). */
  get tracked(): { addresses: number; users: number; trusted: number } {
    return { addresses: this.byAddress.size, users: this.byUser.size, trusted: this.trusted.size };
  }
}
