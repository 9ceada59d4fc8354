/**
 * The runtime's log handler: Node-RED's text format or one JSON object a line,
 * with secrets from the environment and credentials in URLs masked.
 */
import { redact } from '../nodes/common/redact';

const LEVEL_NAMES: Record<number, string> = { 10: 'fatal', 20: 'error', 30: 'warn', 40: 'info', 50: 'debug', 60: 'trace', 98: 'audit', 99: 'metric' };

/** A function that masks every secret the environment holds (nodes/common/redact, the one path). */
export function redactor(env: NodeJS.ProcessEnv = process.env): (text: string) => string {
  return (text) => redact(text, [], env);
}

/** Sends console.log/info/warn/error through the redactor too: startup messages and third-party prints. */
export function redactConsole(): void {
  const { format } = require('util') as typeof import('util');
  for (const name of ['log', 'info', 'warn', 'error'] as const) {
    const original = console[name].bind(console);
    console[name] = (...args: unknown[]) => original(redact(format(...args)));
  }
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
