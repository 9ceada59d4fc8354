/**
 * The one redaction path: every log line, status text, health detail, error
 * and HTTP answer goes through `redact` before it leaves the process.
 * It masks credentials inside URLs (also malformed ones), Authorization
 * values, and every secret the environment holds, plain or URL-encoded.
 */

export const MASK = '***';

/** Variables whose whole value is secret. */
export const SECRET_VARS = [
  'MQTT_PASSWORD',
  'INFLUX_TOKEN',
  'INFLUX_PASSWORD',
  'WEBHOOK_SECRET',
  'NODE_RED_CREDENTIAL_SECRET',
  'ADMIN_PASSWORD_HASH',
  'OPERATOR_PASSWORD_HASH',
  'VIEWER_PASSWORD_HASH',
  'SMTP_PASSWORD',
  'REDIS_PASSWORD',
];
/** Variables holding URLs that may carry a password. */
export const URL_VARS = ['MQTT_URL', 'MQTT_BROKER_URL', 'SMTP_URL', 'INFLUX_URL', 'WEBHOOK_URL', 'EVENTS_URL', 'REDIS_URL'];

/** Hides the password of every `//user:pass@host` in the text, with or without a well-formed scheme. */
export function redactUrls(text: string): string {
  return text.replace(/(\/\/)([^\s:/@]*):([^\s/@]*)@/g, (_m, slashes: string, user: string) => `${slashes}${user}:${MASK}@`);
}

/** The password part of a URL-ish value, even one `new URL` refuses (`mqtt//u:p@h`). */
export function urlPassword(value: string): string | undefined {
  try {
    const u = new URL(value);
    if (u.password) return decodeURIComponent(u.password);
    if (u.host) return undefined;
  } catch {
    /* malformed: fall back to the text before the last @ */
  }
  const at = value.lastIndexOf('@');
  if (at < 0) return undefined;
  const userinfo = value
    .slice(0, at)
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .replace(/^.*\//, '');
  const colon = userinfo.indexOf(':');
  return colon >= 0 && colon < userinfo.length - 1 ? userinfo.slice(colon + 1) : undefined;
}

let cachedFor = '';
let cachedSecrets: string[] = [];

/** Secrets held by the environment, longest first (so a secret containing another is masked whole). */
export function envSecrets(env: NodeJS.ProcessEnv = process.env): string[] {
  const values = [...SECRET_VARS, ...URL_VARS].map((v) => env[v] || '');
  const fingerprint = values.join('\u0000');
  if (env === process.env && fingerprint === cachedFor) return cachedSecrets;
  const secrets = new Set<string>();
  for (const v of SECRET_VARS) if (env[v] && env[v]!.length >= 4) secrets.add(env[v]!);
  for (const v of URL_VARS) {
    const pw = env[v] ? urlPassword(env[v]!) : undefined;
    if (pw && pw.length >= 3) secrets.add(pw);
  }
  const list = [...secrets].sort((a, b) => b.length - a.length);
  if (env === process.env) {
    cachedFor = fingerprint;
    cachedSecrets = list;
  }
  return list;
}

/**
 * Text safe to show. `extra` adds secrets the environment does not hold (a
 * node's credentials); values shorter than 3 characters are ignored, they
 * would mask ordinary words.
 */
export function redact(value: unknown, extra: ReadonlyArray<string | undefined> = [], env: NodeJS.ProcessEnv = process.env): string {
  let out = typeof value === 'string' ? value : value instanceof Error ? value.message : String(value);
  const secrets = [...envSecrets(env), ...extra.filter((s): s is string => Boolean(s) && s!.length >= 3)].sort((a, b) => b.length - a.length);
  for (const s of secrets) {
    for (const form of new Set([s, encodeURIComponent(s)])) out = out.split(form).join(MASK);
  }
  out = redactUrls(out);
  return out.replace(/\b(Bearer|Token|Basic)\s+[A-Za-z0-9+/=._-]{8,}/g, `$1 ${MASK}`);
}
