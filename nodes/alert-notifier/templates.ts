/**
 * A tiny, safe template language: `{{path}}` looks up a field (dotted paths
 * allowed) in a context object. No expressions, no code: nothing is evaluated.
 * HTML mode escapes every substituted value; JSON templates keep types.
 */
import type { Alert } from '../common/types';
import { DeviceInfo, deviceLabel } from '../common/device-lookup';

export type TemplateContext = Record<string, unknown>;

const PLACEHOLDER = /\{\{\s*([A-Za-z_$][\w$]*(?:\.[\w$]+)*)\s*\}\}/g;
const WHOLE = /^\{\{\s*([A-Za-z_$][\w$]*(?:\.[\w$]+)*)\s*\}\}$/;
const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);

/** Value at a dotted path, own properties only (no prototype walking). */
export function lookup(ctx: unknown, path: string): unknown {
  let cur: unknown = ctx;
  for (const part of path.split('.')) {
    if (FORBIDDEN.has(part) || cur === null || typeof cur !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Text form of a value: '' for null/undefined, arrays joined, objects as JSON. */
export function toText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v) && v.every((x) => x === null || typeof x !== 'object')) return v.map(toText).join(' – ');
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return '';
  }
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** Renders `{{field}}` placeholders; in `html` mode every value is HTML-escaped. */
export function render(template: string, ctx: TemplateContext, mode: 'text' | 'html' = 'text'): string {
  return template.replace(PLACEHOLDER, (_m, path: string) => {
    const text = toText(lookup(ctx, path));
    return mode === 'html' ? escapeHtml(text) : text;
  });
}

/** Subject lines must be one line: CR/LF would let a field inject headers. */
export function renderLine(template: string, ctx: TemplateContext): string {
  return render(template, ctx)
    .replace(/[\r\n]+/g, ' ')
    .trim();
}

/**
 * Renders a JSON template (already parsed): a string that is exactly one
 * `{{path}}` becomes the value itself (number, object, null...); other strings
 * are interpolated as text. Keys are left alone. The result is always valid JSON.
 */
export function renderJson(template: unknown, ctx: TemplateContext): unknown {
  if (typeof template === 'string') {
    const whole = WHOLE.exec(template);
    if (whole) {
      const v = lookup(ctx, whole[1]);
      return v === undefined ? null : v;
    }
    return render(template, ctx);
  }
  if (Array.isArray(template)) return template.map((t) => renderJson(t, ctx));
  if (template && typeof template === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(template)) out[k] = renderJson(v, ctx);
    return out;
  }
  return template;
}

/** Parses a JSON body template; throws with the parser's message. */
export function parseJsonTemplate(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`body template is not valid JSON: ${(err as Error).message}`);
  }
}

/** Fields a notification template can use for an alert transition. */
export function alertContext(alert: Alert, event: string, extra: TemplateContext = {}): TemplateContext {
  return {
    ...alert,
    alert,
    event,
    severityUpper: alert.severity.toUpperCase(),
    sinceIso: Number.isFinite(alert.since) ? new Date(alert.since).toISOString() : '',
    ...extra,
  };
}

/**
 * The device fields of an alert's context, from the device registry (global
 * context `iotRegistry`, docs/registry.md): `device` ({id, name, location},
 * null where not registered: the webhook body's), `deviceName` (the id when
 * it has none), `deviceLocation`, `deviceType`, `deviceOwner`, `deviceLabel`
 * (`Name (id) · Location`) and `deviceSuffix` (` – Name, Location`, or '' so a
 * subject reads as before for a device that is not registered).
 */
export function deviceContext(id: string, info?: DeviceInfo): TemplateContext {
  const where = [info?.name, info?.location].filter(Boolean).join(', ');
  return {
    device: { id, name: info?.name || null, location: info?.location || null },
    deviceName: info?.name || id,
    deviceLocation: info?.location || '',
    deviceType: info?.type || '',
    deviceOwner: info?.owner || '',
    deviceLabel: deviceLabel(id, info),
    deviceSuffix: where ? ` – ${where}` : '',
  };
}

/** Fields for a generic event payload (event mode): its own fields plus `payload` and `topic`. */
export function eventContext(payload: unknown, topic: string | undefined, extra: TemplateContext = {}): TemplateContext {
  const own = payload && typeof payload === 'object' && !Array.isArray(payload) ? (payload as Record<string, unknown>) : {};
  return { ...own, payload, payloadJson: toText(payload), topic: topic ?? '', ...extra };
}

export const DEFAULT_TEMPLATES = {
  alert: {
    subject: '[{{severityUpper}}] {{title}}{{deviceSuffix}} ({{event}})',
    text: [
      '{{title}}',
      '{{text}}',
      '',
      'Event: {{event}}',
      'Device: {{deviceLabel}}',
      'Metric: {{metric}} = {{value}} (threshold {{threshold}})',
      'Severity: {{severity}}',
      'State: {{state}} since {{sinceIso}}',
      'Alert: {{id}} (rule {{ruleId}})',
    ].join('\n'),
    html: [
      '<h2>{{title}}</h2>',
      '<p>{{text}}</p>',
      '<table>',
      '<tr><th align="left">Event</th><td>{{event}}</td></tr>',
      '<tr><th align="left">Device</th><td>{{deviceLabel}}</td></tr>',
      '<tr><th align="left">Metric</th><td>{{metric}} = {{value}} (threshold {{threshold}})</td></tr>',
      '<tr><th align="left">Severity</th><td>{{severity}}</td></tr>',
      '<tr><th align="left">State</th><td>{{state}} since {{sinceIso}}</td></tr>',
      '<tr><th align="left">Alert</th><td>{{id}} (rule {{ruleId}})</td></tr>',
      '</table>',
    ].join('\n'),
    body: { event: '{{event}}', alert: '{{alert}}', device: '{{device}}' },
  },
  event: {
    subject: 'Event {{type}} from {{device_id}}',
    text: 'Topic: {{topic}}\n\n{{payloadJson}}',
    html: '<p>Topic: {{topic}}</p><pre>{{payloadJson}}</pre>',
    body: '{{payload}}',
  },
} as const;
