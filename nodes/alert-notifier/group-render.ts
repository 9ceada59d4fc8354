/** One notification for a group of alerts that started together: email and webhook body. */
import type { Severity } from '../common/types';
import { SEVERITIES } from '../common/types';
import type { EmailRequest, WebhookRequest } from './outbox';
import type { GroupBatch } from './grouping';
import { escapeHtml } from './templates';
import { DeviceInfo, deviceLabel } from '../common/device-lookup';

/** The device registry's entry of a device, when one is known. */
export type DeviceLookup = (id: string) => DeviceInfo | undefined;

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/** Highest severity in the group (it picks the recipients and the subject tag). */
export function groupSeverity(b: GroupBatch): Severity {
  return b.members.reduce<Severity>((s, m) => (SEVERITIES.includes(m.alert.severity) && RANK[m.alert.severity] > RANK[s] ? m.alert.severity : s), 'info');
}

function headline(b: GroupBatch): string {
  const what = b.count === 1 ? 'alert' : 'alerts';
  const more = b.seq > 0 ? ' more' : '';
  return `${b.count}${more} ${what} ${b.event} for rule ${b.ruleId}`;
}

function line(m: GroupBatch['members'][number], info?: DeviceLookup): string {
  const who = m.by ? `  (${m.by}${m.reason ? `: ${m.reason}` : ''})` : '';
  return `${deviceLabel(m.alert.deviceId, info?.(m.alert.deviceId))}  ${m.alert.title}  ${m.alert.text}${who}`;
}

export function groupEmail(b: GroupBatch, to: string[], info?: DeviceLookup): EmailRequest {
  const sev = groupSeverity(b);
  const lines = b.members.map((m) => line(m, info));
  const more = b.count > lines.length ? `… and ${b.count - lines.length} more` : '';
  const since = new Date(b.openedAt).toISOString();
  const intro = `${headline(b)} (group opened ${since}${b.seq > 0 ? `, follow-up ${b.seq}` : ''}):`;
  return {
    to,
    subject: `[${sev.toUpperCase()}] ${headline(b)}`.replace(/[\r\n]+/g, ' '),
    text: `${intro}\n\n${lines.join('\n')}${more ? `\n${more}` : ''}`,
    html: `<p>${escapeHtml(intro)}</p><ul>${lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>${more ? `<p>${escapeHtml(more)}</p>` : ''}`,
  };
}

export function groupWebhook(b: GroupBatch, info?: DeviceLookup): WebhookRequest {
  const device = (id: string): { id: string; name: string | null; location: string | null } => {
    const d = info?.(id);
    return { id, name: d?.name || null, location: d?.location || null };
  };
  return {
    body: JSON.stringify({
      event: 'group',
      transition: b.event,
      ruleId: b.ruleId,
      severity: groupSeverity(b),
      count: b.count,
      openedAt: b.openedAt,
      seq: b.seq,
      alerts: b.members.map((m) =>
        m.by ? { ...m.alert, by: m.by, reason: m.reason, device: device(m.alert.deviceId) } : { ...m.alert, device: device(m.alert.deviceId) },
      ),
    }),
  };
}
