/**
 * The runtime's log handler: Node-RED's text format or one JSON object a line,
 * with secrets from the environment and credentials in URLs masked.
 */
const LEVEL_NAMES: Record<number, string> = { 10: 'fatal', 20: 'error', 30: 'warn', 40: 'info', 50: 'debug', 60: 'trace', 98: 'audit', 99: 'metric' };
const SECRET_VARS = ['MQTT_PASSWORD', 'INFLUX_TOKEN', 'INFLUX_PASSWORD', 'WEBHOOK_SECRET', 'NODE_RED_CREDENTIAL_SECRET', 'ADMIN_PASSWORD_HASH', 'SMTP_PASSWORD'];
const URL_VARS = ['MQTT_URL', 'SMTP_URL', 'INFLUX_URL', 'WEBHOOK_URL', 'EVENTS_URL'];

/** Builds a function that masks every secret the environment holds. */
export function redactor(env: NodeJS.ProcessEnv = process.env): (text: string) => string {
  const secrets = new Set<string>();
  for (const v of SECRET_VARS) if (env[v] && env[v]!.length >= 4) secrets.add(env[v]!);
  for (const v of URL_VARS) {
    try {
      const u = new URL(env[v] || '');
      if (u.password) secrets.add(decodeURIComponent(u.password));
    } catch {
      /* not a URL */
    }
  }
  const list = [...secrets].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const s of list) out = out.split(s).join('***');
    out = out.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]+:)[^@/\s]+@/gi, '$1***@');
    return out.replace(/\b(Bearer|Token|Basic)\s+[A-Za-z0-9+/=._-]{8,}/g, '$1 ***');
  };
}

interface LogMessage {
  level: number;
  msg: unknown;
  type?: string;
  id?: string;
  name?: string;
  timestamp?: number;
}

function text(m: unknown): string {
  if (m instanceof Error) return m.message;
  if (typeof m === 'string') return m;
  try {
    const o = m as { message?: string };
    return typeof o?.message === 'string' ? o.message : JSON.stringify(m);
  } catch {
    return String(m);
  }
}

export function logHandler(format: 'text' | 'json', env: NodeJS.ProcessEnv = process.env) {
  const redact = redactor(env);
  return (msg: LogMessage): void => {
    const level = LEVEL_NAMES[msg.level] || String(msg.level);
    const message = redact(text(msg.msg));
    if (format === 'json') {
      const line: Record<string, unknown> = { time: new Date(msg.timestamp || Date.now()).toISOString(), level, msg: message };
      if (msg.type) line.node = { type: msg.type, id: msg.id, name: msg.name };
      process.stdout.write(`${JSON.stringify(line)}\n`);
    } else {
      const who = msg.type ? `[${msg.type}:${msg.name || msg.id}] ` : '';
      process.stdout.write(`${new Date().toISOString()} [${level}] ${who}${message}\n`);
    }
  };
}
