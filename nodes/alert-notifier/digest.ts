/** The digest of notifications held back by the rate limit, as an email or a webhook body, and as an outbox item. */
import type { Severity } from '../common/types';
import { SEVERITIES } from '../common/types';
import type { NotificationContent } from './content';
import { Channel, EmailRequest, newItem, OutboxItem, WebhookRequest } from './outbox';
import type { Digest } from './digest-window';
import { hashKey } from './signing';
import { escapeHtml } from './templates';

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/** Highest severity among the held notifications (it picks the recipients). */
export function digestSeverity(d: Digest): Severity {
  return d.held.reduce<Severity>(
    (s, h) => (SEVERITIES.includes(h.severity as Severity) && RANK[h.severity as Severity] > RANK[s] ? (h.severity as Severity) : s),
    'info',
  );
}

export function digestEmail(d: Digest, ruleId: string, to: string[]): EmailRequest {
  const lines = d.held.map((h) => `${new Date(h.at).toISOString()}  ${h.event ?? ''}  ${h.deviceId ?? ''}  ${h.title ?? ''}`);
  const window = `${new Date(d.windowStart).toISOString()} – ${new Date(d.windowEnd).toISOString()}`;
  const more = d.count > lines.length ? `\n… and ${d.count - lines.length} more` : '';
  return {
    to,
    subject: `[DIGEST] ${d.count} notifications held back for rule ${ruleId}`.replace(/[\r\n]+/g, ' '),
    text: `Rate limit reached for rule ${ruleId} (${window}). Held back:\n\n${lines.join('\n')}${more}`,
    html: `<p>Rate limit reached for rule ${escapeHtml(ruleId)} (${escapeHtml(window)}). Held back:</p><ul>${lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>${more ? `<p>${escapeHtml(more)}</p>` : ''}`,
  };
}

export function digestWebhook(d: Digest, ruleId: string, channel: Channel): WebhookRequest {
  return { body: JSON.stringify({ event: 'digest', ruleId, channel, count: d.count, windowStart: d.windowStart, windowEnd: d.windowEnd, held: d.held }) };
}

/**
 * The idempotency key of a digest: its rule and channel and its window's start
 * (the shared window's start in Redis with scale-out, so whichever instance
 * sends it, the key is the same); a later part of the same window has its own.
 */
export function digestKey(d: Digest): string {
  return d.part ? hashKey('digest', d.key, d.windowStart, d.part) : hashKey('digest', d.key, d.windowStart);
}

/** The outbox item of a digest (`d.key` is `<rule>|<channel>`), or undefined when its channel cannot carry it. */
export function digestItem(d: Digest, content: Pick<NotificationContent, 'unusable' | 'recipients'>, at: number): OutboxItem | undefined {
  const cut = d.key.lastIndexOf('|');
  const ruleId = d.key.slice(0, cut);
  const channel = d.key.slice(cut + 1) as Channel;
  const severity = digestSeverity(d);
  if (content.unusable(channel, severity)) return undefined;
  const item = newItem(channel, digestKey(d), 'digest', { ruleId, event: 'digest', severity }, at);
  if (channel === 'email') item.email = digestEmail(d, ruleId, content.recipients(severity));
  else item.webhook = digestWebhook(d, ruleId, channel);
  return item;
}
