/** Checks that msg.payload is an Alert and works out which transition it announces. */
import type { Alert } from '../common/types';
import { SEVERITIES } from '../common/types';
import { ValidationError } from '../common/errors';

export type AlertEvent = 'fired' | 'repeated' | 'acknowledged' | 'resolved';
const EVENTS: readonly AlertEvent[] = ['fired', 'repeated', 'acknowledged', 'resolved'];
const STATES = ['pending', 'firing', 'acknowledged', 'resolved'];

/** The Alert in `payload`, or a ValidationError naming the bad field. */
export function validateAlert(payload: unknown): Alert {
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) throw new ValidationError('msg.payload must be an Alert object', 'payload');
  const a = payload as Record<string, unknown>;
  for (const f of ['id', 'ruleId', 'deviceId'] as const) {
    if (typeof a[f] !== 'string' || !a[f]) throw new ValidationError(`msg.payload.${f} must be a non-empty string`, f);
  }
  if (!SEVERITIES.includes(a.severity as Alert['severity']))
    throw new ValidationError(`msg.payload.severity must be one of ${SEVERITIES.join(', ')}, got "${String(a.severity)}"`, 'severity');
  if (!STATES.includes(a.state as string))
    throw new ValidationError(`msg.payload.state must be one of ${STATES.join(', ')}, got "${String(a.state)}"`, 'state');
  if (typeof a.since !== 'number' || !Number.isFinite(a.since)) throw new ValidationError('msg.payload.since must be epoch milliseconds', 'since');
  // Only the contract's fields: a producer's internal bookkeeping stays out of emails and webhooks.
  const threshold = a.threshold;
  return {
    id: a.id as string,
    ruleId: a.ruleId as string,
    deviceId: a.deviceId as string,
    metric: typeof a.metric === 'string' ? a.metric : '',
    value: typeof a.value === 'number' && Number.isFinite(a.value) ? a.value : null,
    threshold:
      typeof threshold === 'number' || (Array.isArray(threshold) && threshold.length === 2 && threshold.every((t) => typeof t === 'number'))
        ? (threshold as Alert['threshold'])
        : null,
    severity: a.severity as Alert['severity'],
    state: a.state as Alert['state'],
    since: a.since,
    title: typeof a.title === 'string' ? a.title : `${String(a.ruleId)} on ${String(a.deviceId)}`,
    text: typeof a.text === 'string' ? a.text : '',
  };
}

/** Sequence of a repeat reminder: msg.repeat, else the producer's lastNotifiedAt, else undefined. */
export function repeatMark(msgRepeat: unknown, payload: unknown): string | number | undefined {
  if (typeof msgRepeat === 'number' || (typeof msgRepeat === 'string' && msgRepeat)) return msgRepeat;
  const last = payload && typeof payload === 'object' ? (payload as Record<string, unknown>).lastNotifiedAt : undefined;
  return typeof last === 'number' && Number.isFinite(last) ? last : undefined;
}

/** msg.event when valid, else derived from the state; undefined for `pending` (nothing to announce). */
export function alertEvent(msgEvent: unknown, alert: Alert): AlertEvent | undefined {
  if (msgEvent !== undefined && msgEvent !== null && msgEvent !== '') {
    if (!EVENTS.includes(msgEvent as AlertEvent))
      throw new ValidationError(`msg.event must be one of ${EVENTS.join(', ')}, got "${String(msgEvent)}"`, 'event');
    return msgEvent as AlertEvent;
  }
  switch (alert.state) {
    case 'firing':
      return 'fired';
    case 'acknowledged':
      return 'acknowledged';
    case 'resolved':
      return 'resolved';
    default:
      return undefined;
  }
}
