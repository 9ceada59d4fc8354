/** HTTP basic auth against the bcrypt hash of ADMIN_PASSWORD_HASH, for routes outside Node-RED's own. */
import bcrypt from 'bcryptjs';
import type { Request, Response } from 'express';

/** Returns a checker of `Authorization` headers; bcrypt is slow on purpose, so matches are remembered. */
export function basicChecker(user: string, hash: string): (header: string | undefined) => Promise<boolean> {
  const accepted = new Set<string>();
  return async (header) => {
    const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header || '');
    if (!m) return false;
    if (accepted.has(m[1])) return true;
    const decoded = Buffer.from(m[1], 'base64').toString('utf8');
    const sep = decoded.indexOf(':');
    if (sep < 0 || decoded.slice(0, sep) !== user) return false;
    const ok = await bcrypt.compare(decoded.slice(sep + 1), hash).catch(() => false);
    if (ok && accepted.size < 100) accepted.add(m[1]);
    return ok;
  };
}

export function basicAuth(user: string, hash: string, realm = 'IoT flow engine') {
  const check = basicChecker(user, hash);
  return (req: Request, res: Response, next: () => void): void => {
    void check(req.headers.authorization).then((ok) => {
      if (ok) return next();
      res.set('WWW-Authenticate', `Basic realm="${realm}"`);
      res.status(401).json({ error: 'authentication required' });
    });
  };
}
