/** HTTP basic auth against the bcrypt hash of ADMIN_PASSWORD_HASH, for routes outside Node-RED. */
import bcrypt from 'bcryptjs';
import type { Request, Response } from 'express';

export function basicAuth(user: string, hash: string, realm = 'IoT flow engine') {
  // bcrypt is slow on purpose; remember credentials that already matched.
  const accepted = new Set<string>();
  return (req: Request, res: Response, next: () => void): void => {
    const header = req.headers.authorization || '';
    const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header);
    const deny = (): void => {
      res.set('WWW-Authenticate', `Basic realm="${realm}"`);
      res.status(401).json({ error: 'authentication required' });
    };
    if (!m) return deny();
    if (accepted.has(m[1])) return next();
    const decoded = Buffer.from(m[1], 'base64').toString('utf8');
    const sep = decoded.indexOf(':');
    const [u, p] = sep < 0 ? [decoded, ''] : [decoded.slice(0, sep), decoded.slice(sep + 1)];
    if (u !== user) return deny();
    bcrypt.compare(p, hash).then((ok) => {
      if (!ok) return deny();
      if (accepted.size < 100) accepted.add(m[1]);
      next();
    }, deny);
  };
}
