/** Settings of the alert-notifier node: typed, defaulted, validated. */
import { lookupEnvRef } from '../common/env';
import { parseJsonTemplate } from './templates';
import type { Severity } from '../common/types';
import { fieldParsers } from '../common/config-parse';
import { ValidationError } from '../common/errors';

export type NotifierMode = 'alert' | 'event';

export interface NotifierConfig {
  /** `alert`: msg.payload is an Alert (threshold-alert output); `event`: any JSON object, sent as is (bridges). */
  mode: NotifierMode;
  /** Id of the iot-smtp-config node; none means .eml files in the data folder. */
  smtp: string;
  /** Send email. */
  email: boolean;
  /** Default recipients (comma separated); normally `${ALERT_EMAIL_TO}`. */
  to: string;
  /** Recipients per severity; empty uses `to`. */
  toBySeverity: Record<Severity, string>;
  /** Subject / text / HTML templates with {{field}} placeholders; empty uses the built-in ones. */
  subject: string;
  textTemplate: string;
  htmlTemplate: string;
  /** Send a webhook. */
  webhook: boolean;
  /** Webhook URL; normally `${WEBHOOK_URL}` (alerts) or `${EVENTS_URL}` (event bridge). */
  url: string;
  method: 'POST' | 'PUT' | 'PATCH';
  /** Extra headers, as a JSON object of strings. */
  headers: Record<string, string>;
  /** Parsed JSON body template; undefined uses the mode's default body. */
  body: unknown;
  /** Webhook timeout, ms. */
  timeoutMs: number;
  /** First retry delay and the cap, ms. */
  retryInitialMs: number;
  retryMaxMs: number;
  /** A delivery still failing after this long fails for good, ms. */
  giveUpMs: number;
  /** Max notifications per rule and channel per window (0 = no limit); alert mode only. */
  rateMax: number;
  rateWindowMs: number;
  /** Notify these transitions too (fired is always notified). */
  notifyRepeated: boolean;
  notifyAcknowledged: boolean;
  notifyResolved: boolean;
  /** Pending deliveries kept at most; beyond it new ones fail at once. */
  outboxMax: number;
  /**
   * Alert mode: alerts of one rule and transition arriving within this wait go
   * out as one notification with a count and a list, ms; 0 sends each alone at once.
   */
  groupWaitMs: number;
  /** Alerts joining an open group go out in a follow-up at most this often, ms. */
  groupIntervalMs: number;
  /** Alerts listed in one group notification; beyond it only the count grows. */
  groupListMax: number;
  configVersion: number;
}

/** Defaults as saved in a flow (the editor's `defaults`). */
export const DEFAULTS = {
  mode: 'alert',
  smtp: '',
  email: true,
  to: '${ALERT_EMAIL_TO}',
  toInfo: '',
  toWarning: '',
  toCritical: '',
  subject: '',
  textTemplate: '',
  htmlTemplate: '',
  webhook: false,
  url: '${WEBHOOK_URL}',
  method: 'POST',
  headers: '{}',
  bodyTemplate: '',
  timeoutS: 10,
  retryInitialS: 2,
  retryMaxS: 30,
  giveUpH: 24,
  rateMax: 10,
  rateWindowS: 300,
  notifyRepeated: true,
  notifyAcknowledged: true,
  notifyResolved: true,
  outboxMax: 10000,
  groupWaitS: 5,
  groupIntervalS: 60,
  groupListMax: 100,
  configVersion: 2,
} as const;

const { num, bool } = fieldParsers(DEFAULTS);

function str(def: Record<string, unknown>, field: keyof typeof DEFAULTS, env: NodeJS.ProcessEnv): string {
  return lookupEnvRef(def[field] ?? DEFAULTS[field], env);
}

/** Validates a saved node definition (older versions upgraded); throws ValidationError naming the field. */
export function parseConfig(def: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): NotifierConfig {
  const version = Number(def.configVersion ?? 0);
  const mode = String(def.mode ?? DEFAULTS.mode) as NotifierMode;
  if (mode !== 'alert' && mode !== 'event') throw new ValidationError(`mode must be alert or event, got "${String(def.mode)}"`, 'mode');
  const method = String(def.method || DEFAULTS.method).toUpperCase();
  if (method !== 'POST' && method !== 'PUT' && method !== 'PATCH')
    throw new ValidationError(`method must be POST, PUT or PATCH, got "${String(def.method)}"`, 'method');
  let headers: Record<string, string> = {};
  const rawHeaders = def.headers ?? DEFAULTS.headers;
  try {
    const h = typeof rawHeaders === 'string' ? JSON.parse(rawHeaders || '{}') : rawHeaders;
    if (!h || typeof h !== 'object' || Array.isArray(h)) throw new Error('not an object');
    headers = Object.fromEntries(Object.entries(h as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
  } catch (err) {
    throw new ValidationError(`headers must be a JSON object of strings: ${(err as Error).message}`, 'headers');
  }
  for (const k of Object.keys(headers)) {
    if (!/^[A-Za-z0-9-]+$/.test(k)) throw new ValidationError(`header name "${k}" is not valid`, 'headers');
    if (/[\r\n]/.test(headers[k])) throw new ValidationError(`header ${k} must be one line`, 'headers');
  }
  const bodyText = String(def.bodyTemplate ?? '').trim();
  let body: unknown;
  try {
    body = bodyText ? parseJsonTemplate(bodyText) : undefined;
  } catch (err) {
    throw new ValidationError((err as Error).message, 'bodyTemplate');
  }
  const retryInitialMs = num(def, 'retryInitialS', 0.05, 3600) * 1000;
  const retryMaxMs = num(def, 'retryMaxS', 0.05, 86400) * 1000;
  if (retryMaxMs < retryInitialMs) throw new ValidationError('retryMaxS must not be less than retryInitialS', 'retryMaxS');
  return {
    mode,
    smtp: typeof def.smtp === 'string' ? def.smtp : '',
    email: bool(def, 'email'),
    to: str(def, 'to', env),
    toBySeverity: { info: str(def, 'toInfo', env), warning: str(def, 'toWarning', env), critical: str(def, 'toCritical', env) },
    subject: String(def.subject ?? ''),
    textTemplate: String(def.textTemplate ?? ''),
    htmlTemplate: String(def.htmlTemplate ?? ''),
    // Version 0 had no webhook switch: a URL meant "send".
    webhook: version < 1 ? !!str(def, 'url', env) : bool(def, 'webhook'),
    url: str(def, 'url', env),
    method,
    headers,
    body,
    timeoutMs: num(def, 'timeoutS', 0.1, 300) * 1000,
    retryInitialMs,
    retryMaxMs,
    giveUpMs: num(def, 'giveUpH', 0.001, 24 * 30) * 3600_000,
    rateMax: Math.floor(num(def, 'rateMax', 0, 100_000)),
    rateWindowMs: num(def, 'rateWindowS', 1, 7 * 86400) * 1000,
    notifyRepeated: bool(def, 'notifyRepeated'),
    notifyAcknowledged: bool(def, 'notifyAcknowledged'),
    notifyResolved: bool(def, 'notifyResolved'),
    outboxMax: Math.floor(num(def, 'outboxMax', 1, 1_000_000)),
    // Versions 0 and 1 had no grouping: they get it at the defaults, so an old flow survives a fleet going silent too.
    groupWaitMs: num(def, 'groupWaitS', 0, 3600) * 1000,
    groupIntervalMs: num(def, 'groupIntervalS', 1, 86400) * 1000,
    groupListMax: Math.floor(num(def, 'groupListMax', 1, 10_000)),
    configVersion: 2,
  };
}
