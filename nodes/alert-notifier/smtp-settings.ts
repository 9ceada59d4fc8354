/**
 * SMTP config node settings: host, port, security, from and credentials, or
 * one SMTP_URL. With neither, mail goes to a folder as .eml files.
 */
import { lookupEnvRef } from '../common/env';
import { redact } from './redact';
import type { NodeInstance } from '../common/red';

export type Security = 'starttls' | 'tls' | 'none' | 'auto';

/** Settings of the `iot-smtp-config` node, as saved in the flow. */
export interface SmtpConfigDef {
  /** `smtp://user:pass@host:587` or `smtps://...:465`; normally `${SMTP_URL}`. Wins over host when set. */
  url: string;
  /** SMTP server host; empty (and no url) means: write .eml files to the data folder. */
  host: string;
  /** Port; 587 for STARTTLS, 465 for TLS, 25 for none. */
  port: number;
  /** starttls: require STARTTLS; tls: TLS from the start; none: plain text; auto: STARTTLS when offered. */
  security: Security;
  /** Sender address; normally `${ALERT_EMAIL_FROM}`. */
  from: string;
  /** Check the server certificate (turn off only for a self-signed test server). */
  verifyTls: boolean;
  /** Version of this settings shape, for upgrades of saved flows. */
  configVersion: number;
}

export interface SmtpCredentials {
  user?: string;
  password?: string;
}

export const SMTP_DEFAULTS: SmtpConfigDef = {
  url: '${SMTP_URL}',
  host: '',
  port: 587,
  security: 'starttls',
  from: '${ALERT_EMAIL_FROM}',
  verifyTls: true,
  configVersion: 1,
};

export const DEFAULT_FROM = 'node-red@localhost';
const SECURITIES: readonly Security[] = ['starttls', 'tls', 'none', 'auto'];

/** What the notifier needs: nodemailer SMTP options, or the folder fallback. */
export type SmtpTarget =
  | { kind: 'smtp'; options: Record<string, unknown>; from: string; describe: string; secrets: string[] }
  | { kind: 'folder'; from: string; describe: string; secrets: string[] };

/** Options built from an SMTP URL; throws with a message that never shows the password. */
export function parseSmtpUrl(url: string): { host: string; port: number; security: Security; user?: string; password?: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`SMTP_URL is not a URL: "${redact(url)}" (expected smtp://user:pass@host:587)`);
  }
  const scheme = u.protocol.replace(':', '');
  if (scheme !== 'smtp' && scheme !== 'smtps') throw new Error(`SMTP_URL must start with smtp:// or smtps://, got "${scheme}://"`);
  if (!u.hostname) throw new Error('SMTP_URL has no host');
  const q = u.searchParams.get('security');
  if (q && !SECURITIES.includes(q as Security)) throw new Error(`SMTP_URL security must be one of ${SECURITIES.join(', ')}, got "${q}"`);
  const security: Security = (q as Security) || (scheme === 'smtps' ? 'tls' : 'auto');
  const port = u.port ? Number(u.port) : security === 'tls' ? 465 : 587;
  return {
    host: u.hostname,
    port,
    security,
    user: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
  };
}

/** Validates the saved settings (older versions upgraded) and resolves `${VAR}` leftovers. */
export function parseSmtpConfig(def: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): SmtpConfigDef {
  const version = Number(def.configVersion ?? 0);
  const port = def.port === undefined || def.port === '' ? SMTP_DEFAULTS.port : Number(def.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`port must be a whole number from 1 to 65535, got "${def.port}"`);
  const security = String(def.security ?? SMTP_DEFAULTS.security).toLowerCase() as Security;
  if (!SECURITIES.includes(security)) throw new Error(`security must be one of ${SECURITIES.join(', ')}, got "${def.security}"`);
  return {
    url: lookupEnvRef(def.url ?? SMTP_DEFAULTS.url, env),
    host: lookupEnvRef(def.host, env),
    port,
    security,
    from: lookupEnvRef(def.from ?? SMTP_DEFAULTS.from, env) || lookupEnvRef('${ALERT_EMAIL_FROM}', env),
    // Version 0 (no field) had no certificate switch: it always verified.
    verifyTls: version < 1 ? true : def.verifyTls !== false && def.verifyTls !== 'false',
    configVersion: 1,
  };
}

function securityOptions(security: Security): Record<string, unknown> {
  switch (security) {
    case 'tls':
      return { secure: true };
    case 'starttls':
      return { secure: false, requireTLS: true };
    case 'none':
      return { secure: false, ignoreTLS: true };
    default:
      return { secure: false };
  }
}

/** Where mail goes, from settings plus credentials (user/password in the credentials override the URL's). */
export function smtpTarget(cfg: SmtpConfigDef, creds: SmtpCredentials = {}): SmtpTarget {
  const from = cfg.from || DEFAULT_FROM;
  let host = cfg.host;
  let port = cfg.port;
  let security = cfg.security;
  let user = creds.user;
  let password = creds.password;
  if (cfg.url) {
    const u = parseSmtpUrl(cfg.url);
    ({ host, port, security } = u);
    user = user || u.user;
    password = password || u.password;
  }
  const secrets = [password].filter((s): s is string => !!s);
  if (!host) return { kind: 'folder', from, describe: 'no SMTP server: writing .eml files', secrets };
  const options: Record<string, unknown> = {
    host,
    port,
    ...securityOptions(security),
    tls: { rejectUnauthorized: cfg.verifyTls, servername: host },
    // Short timeouts: a dead server must not hold a retry (or a redeploy) for minutes.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  };
  if (user) options.auth = { user, pass: password ?? '' };
  return { kind: 'smtp', options, from, describe: `smtp ${host}:${port} (${security})`, secrets };
}

/** What an alert-notifier reads from its iot-smtp-config node. */
export interface SmtpConfigNode extends NodeInstance<SmtpCredentials> {
  /** The resolved target; throws the reason when the settings are unusable. */
  target(): SmtpTarget;
}
