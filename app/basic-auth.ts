/**
 * HTTP login for the routes outside Node-RED's own (dashboard, recordings,
 * metrics, readiness detail) and the guard in front of the editor's
 * /auth/token, all through one AuthGate (throttle, cache, bcrypt off-thread).
 */
import type { NextFunction, Request, Response } from 'express';
import { AuthGate, LoginResult, parseBasic } from './auth/gate';

export type AuthedRequest = Request & { user?: { username: string; role: string } };

function refuse(res: Response, result: Exclude<LoginResult, { ok: true }>, realm?: string): void {
  if (result.retryAfterSec) res.set('Retry-After', String(result.retryAfterSec));
  if (result.status === 429) {
    res.status(429).json({ error: 'too many login attempts', retryAfter: result.retryAfterSec });
    return;
  }
  if (result.status === 503) {
    res.status(503).json({ error: 'login busy, try again' });
    return;
  }
  if (realm) res.set('WWW-Authenticate', `Basic realm="${realm}"`);
  res.status(401).json({ error: 'authentication required' });
}

/** Checks the request's Basic credentials; sets `req.user` when they are right. Undefined when none were sent. */
export async function basicLogin(gate: AuthGate, req: Request): Promise<LoginResult | undefined> {
  const creds = parseBasic(req.headers.authorization);
  if (!creds) return undefined;
  const result = await gate.login(creds.username, creds.password, req.socket.remoteAddress);
  if (result.ok) (req as AuthedRequest).user = result.user;
  return result;
}

/** Middleware: Basic login required. */
export function basicAuth(gate: AuthGate, realm = 'IoT flow engine') {
  return (req: Request, res: Response, next: NextFunction): void => {
    basicLogin(gate, req).then((result) => {
      if (result?.ok) return next();
      refuse(res, result || { ok: false, status: 401 }, realm);
    }, next);
  };
}

/** Middleware: takes Basic credentials when sent (for optional detail, e.g. readiness), never challenges. */
export function optionalBasicAuth(gate: AuthGate) {
  return (req: Request, res: Response, next: NextFunction): void => {
    basicLogin(gate, req).then((result) => {
      if (!result || result.ok || result.status === 401) return next();
      refuse(res, result);
    }, next);
  };
}

/**
 * In front of Node-RED's POST /auth/token: password grants go through the gate
 * first, so wrong guesses are throttled here (429 with Retry-After) and never
 * reach Node-RED's own per-user counter, which would lock the admin out after
 * five. A right password passes on; Node-RED checks it again through the gate's cache.
 */
export function tokenGuard(gate: AuthGate) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const body = (req.body || {}) as Record<string, unknown>;
    if (body.grant_type !== 'password') return next();
    const username = typeof body.username === 'string' ? body.username : '';
    const password = typeof body.password === 'string' ? body.password : '';
    gate.login(username, password, req.socket.remoteAddress).then((result) => {
      if (result.ok) {
        gate.grantOnce(username, password);
        return next();
      }
      if (result.status === 401) {
        // What Node-RED (oauth2orize) answers for wrong credentials.
        res.status(403).json({ error: 'invalid_grant', error_description: 'Invalid resource owner credentials' });
        return;
      }
      refuse(res, result);
    }, next);
  };
}
