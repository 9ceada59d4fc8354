/**
 * The one login check behind every auth path: throttle first, then a short
 * cache of verified credentials, then bcrypt off the main thread.
 */
import crypto from 'crypto';
import { LoginThrottle, ThrottleOptions } from './throttle';
import { BusyError, createVerifier, PasswordVerifier, VerifierOptions } from './verifier';

export type Role = 'admin' | 'operator' | 'viewer';

export interface AppUser<R extends string = Role> {
  username: string;
  /** bcrypt hash ($2a$/$2b$/$2y$). */
  hash: string;
  role: R;
}

export type LoginResult<R extends string = Role> =
  | { ok: true; user: { username: string; role: R } }
  /** 401 wrong credentials, 429 throttled, 503 too many checks waiting. */
  | { ok: false; status: 401 | 429 | 503; retryAfterSec?: number };

export interface GateOptions {
  throttle: Partial<ThrottleOptions>;
  verifier: Partial<VerifierOptions>;
  /** How long a verified user/password pair is taken without bcrypt (ms). */
  cacheMs: number;
  cacheMax: number;
}

export const GATE_DEFAULTS: GateOptions = { throttle: {}, verifier: {}, cacheMs: 5 * 60_000, cacheMax: 1000 };

// Compared against when the user name is unknown, so the answer takes as long as for a known one.
const DUMMY_HASH = '$2b$10$VZwvWwPBn9oVlUgdcU126OW8bzq7SzU4uBP1iSribUq7o6BiFTz2S';

export class AuthGate<R extends string = Role> {
  readonly throttle: LoginThrottle;
  readonly verifier: PasswordVerifier;
  private readonly users = new Map<string, AppUser<R>>();
  private readonly cache = new Map<string, number>();
  private readonly grants = new Map<string, number>();
  // Cache keys are HMACs under a per-process key: no password is kept in memory in the clear.
  private readonly cacheKey = crypto.randomBytes(32);
  private readonly opts: GateOptions;

  constructor(
    users: Array<AppUser<R>>,
    options: Partial<GateOptions> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.opts = { ...GATE_DEFAULTS, ...options };
    for (const u of users) this.users.set(u.username, u);
    this.throttle = new LoginThrottle(this.opts.throttle, now);
    this.verifier = createVerifier(this.opts.verifier);
  }

  role(username: string): R | undefined {
    return this.users.get(username)?.role;
  }

  get enabled(): boolean {
    return this.users.size > 0;
  }

  private key(user: AppUser<R>, password: string): string {
    return crypto.createHmac('sha256', this.cacheKey).update(`${user.username}\u0000${user.hash}\u0000${password}`).digest('base64');
  }

  /** Checks a user name and password coming from `address`. Never throws. */
  async login(username: string, password: string, address: string | undefined): Promise<LoginResult<R>> {
    const addr = address || 'unknown';
    const name = username.slice(0, 200);
    const verdict = this.throttle.begin(name, addr);
    if (!verdict.allowed) return { ok: false, status: 429, retryAfterSec: verdict.retryAfterSec };
    const user = this.users.get(name);
    const key = user ? this.key(user, password) : '';
    const cached = user ? this.cache.get(key) : undefined;
    let ok = cached !== undefined && cached > this.now();
    if (!ok) {
      try {
        ok = (await this.verifier.verify(password.slice(0, 1024), user ? user.hash : DUMMY_HASH)) && user !== undefined;
      } catch (err) {
        if (err instanceof BusyError) return { ok: false, status: 503, retryAfterSec: 1 };
        ok = false;
      }
      if (ok) this.remember(key);
    }
    if (!ok || !user) return { ok: false, status: 401 };
    this.throttle.succeeded(name, addr);
    return { ok: true, user: { username: user.username, role: user.role } };
  }

  /**
   * One-shot pass for a pair a guard just verified, for a second check of the
   * same request that cannot see the address (Node-RED's adminAuth.authenticate).
   */
  grantOnce(username: string, password: string): void {
    const user = this.users.get(username);
    if (!user) return;
    for (const [k, until] of this.grants) if (until <= this.now()) this.grants.delete(k);
    if (this.grants.size < 100) this.grants.set(this.key(user, password), this.now() + 10_000);
  }

  takeGrant(username: string, password: string): boolean {
    const user = this.users.get(username);
    if (!user) return false;
    const key = this.key(user, password);
    const until = this.grants.get(key);
    this.grants.delete(key);
    return until !== undefined && until > this.now();
  }

  private remember(key: string): void {
    this.cache.delete(key);
    this.cache.set(key, this.now() + this.opts.cacheMs);
    while (this.cache.size > this.opts.cacheMax) this.cache.delete(this.cache.keys().next().value as string);
  }

  async close(): Promise<void> {
    await this.verifier.close();
  }
}

/** `Basic` credentials of an Authorization header, or undefined when there are none or they are malformed. */
export function parseBasic(header: string | undefined): { username: string; password: string } | undefined {
  const m = /^Basic +([A-Za-z0-9+/=]+)$/i.exec(header || '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const sep = decoded.indexOf(':');
  if (sep < 0) return undefined;
  return { username: decoded.slice(0, sep), password: decoded.slice(sep + 1) };
}
