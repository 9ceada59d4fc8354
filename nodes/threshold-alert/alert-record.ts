/**
 * The alert as the engine keeps, persists and emits it (an Alert plus the
 * timestamps its timers resume from), the history entry, and alert texts.
 */
import type { Alert, Severity } from '../common/types';
import type { Rule } from './rules';

/** Metric of a staleness alert opened by an offline announcement (availability Reading), not by silence. */
export const OFFLINE_METRIC = 'online';

export type AlertEvent = 'fired' | 'repeated' | 'acknowledged' | 'resolved';

/** An Alert with what the lifecycle needs to survive a restart. */
export interface AlertRecord extends Alert {
  kind: Rule['kind'];
  sensorType: string;
  /** When the condition first held (start of pending). */
  startedAt: number;
  firedAt?: number;
  /** Last time the condition held (or the event was seen). */
  lastBadAt: number;
  /** Since when the condition is clear while firing (keep-firing), if it is. */
  clearSince?: number;
  /** Last fired/repeated emission, for the repeat interval. */
  lastNotifiedAt?: number;
  acknowledgedBy?: string;
  acknowledgedAt?: number;
  resolvedBy?: string;
  reason?: string;
}

/** One line of the bounded transition history. */
export interface HistoryEntry {
  at: number;
  event: 'pending' | 'fired' | 'acknowledged' | 'resolved' | 'cancelled';
  alertId: string;
  ruleId: string;
  deviceId: string;
  severity: Severity;
  value: number | null;
  by?: string;
  reason?: string;
}

/** A transition to emit on output 1. */
export interface Transition {
  event: AlertEvent;
  alert: AlertRecord;
  by?: string;
  reason?: string;
}

const OP_TEXT: Record<string, string> = { between: 'inside', outside: 'outside' };

function limitText(limit: unknown): string {
  return Array.isArray(limit) ? `[${limit.join(', ')}]` : String(limit);
}

/** Plain-language text of an alert, from its rule and latest value. */
export function describe(rule: Rule, a: Pick<AlertRecord, 'deviceId' | 'value' | 'metric'>): string {
  if (rule.kind === 'threshold') {
    const op = OP_TEXT[rule.operator] ?? rule.operator;
    const clear = rule.clear === undefined ? '' : ` (clears at ${limitText(rule.clear)})`;
    return `${rule.metric} ${a.value} on ${a.deviceId}: ${op} ${limitText(rule.threshold)}${clear}`;
  }
  if (rule.kind === 'staleness') {
    if (a.metric === OFFLINE_METRIC) return `${a.deviceId} reported offline (availability)`;
    const what = rule.metric ? `no ${rule.metric}` : 'no reading';
    return `${what} from ${a.deviceId} for ${a.value} s (limit ${rule.after} s)`;
  }
  return `${a.metric} on ${a.deviceId}${rule.whileArmed ? ' while armed' : ''}`;
}

/** Alert title: the rule's template with `{deviceId}` etc. filled, or `<name> on <device>`. */
export function titleOf(rule: Rule, a: Pick<AlertRecord, 'deviceId' | 'value' | 'metric' | 'threshold'>): string {
  if (!rule.title) return `${rule.name ?? rule.id} on ${a.deviceId}`;
  const vars: Record<string, string> = {
    deviceId: a.deviceId,
    metric: a.metric,
    value: String(a.value),
    threshold: limitText(a.threshold),
    rule: rule.name ?? rule.id,
  };
  return rule.title.replace(/\{(\w+)\}/g, (m, k: string) => vars[k] ?? m);
}

/** Output-1 message for one transition: topic `alert/<state>`, `event`, and who/why when given. */
export function transitionMessage(t: Transition): { topic: string; payload: AlertRecord; event: AlertEvent; by?: string; reason?: string } {
  const msg: { topic: string; payload: AlertRecord; event: AlertEvent; by?: string; reason?: string } = {
    topic: `alert/${t.alert.state}`,
    payload: t.alert,
    event: t.event,
  };
  if (t.by !== undefined) msg.by = t.by;
  if (t.reason !== undefined) msg.reason = t.reason;
  return msg;
}
