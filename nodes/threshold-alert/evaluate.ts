/**
 * Rule evaluation for one reading: what a threshold rule and an event rule
 * make of it, moving the alerts held in the book. Staleness is judged on
 * ticks (engine.ts). Pure: the time is passed in.
 */
import type { AlertState, Reading } from '../common/types';
import { AlertBook, Dirty } from './alert-book';
import type { Transition } from './alert-record';
import { compare, EventRule, ThresholdRule } from './rules';

/** The state of a rule's alert for the device after the reading, or ok. */
export type RuleVerdict = AlertState | 'ok';

/**
 * One metric of a reading against a threshold rule: opens a pending alert,
 * fires it once the condition held `for` seconds, cancels it if the value
 * recovers first, and resolves a firing one once the value is back inside the
 * clear limit (hysteresis) for `keepFiring` seconds. Transitions go to `out`.
 */
export function thresholdVerdict(book: AlertBook, rule: ThresholdRule, r: Reading, value: number, now: number, out: Transition[]): RuleVerdict {
  let a = book.get(rule.id, r.deviceId);
  if (!a) {
    if (!compare(rule.operator, value, rule.threshold)) return 'ok';
    a = book.open(rule, r.deviceId, r.sensorType, rule.metric, value, rule.threshold, now);
    if (!a) return 'ok';
    if (rule.for === 0) out.push(book.fire(a, rule, now));
    return a.state;
  }
  a.value = value;
  book.mark(Dirty.Soft);
  if (compare(rule.operator, value, rule.clear ?? rule.threshold)) {
    a.lastBadAt = now;
    if (a.clearSince !== undefined) {
      delete a.clearSince;
      book.mark(Dirty.Urgent);
    }
    if (a.state === 'pending' && now - a.startedAt >= rule.for * 1000) out.push(book.fire(a, rule, now));
    return a.state;
  }
  if (a.state === 'pending') {
    book.cancel(a, now);
    return 'ok';
  }
  if (a.clearSince === undefined) {
    a.clearSince = now;
    book.mark(Dirty.Urgent);
  }
  if (now - a.clearSince >= rule.keepFiring * 1000) {
    out.push(book.finish(a, now, 'system', 'value back to normal'));
    return 'resolved';
  }
  return a.state;
}

/** A matching event: fires at once; another one while active keeps the alert alive. */
export function eventVerdict(book: AlertBook, rule: EventRule, r: Reading, now: number, out: Transition[]): RuleVerdict {
  const a = book.get(rule.id, r.deviceId);
  if (a) {
    a.lastBadAt = now;
    book.mark(Dirty.Soft);
    return a.state;
  }
  const created = book.open(rule, r.deviceId, r.sensorType, r.event!.type, null, null, now);
  if (!created) return 'ok';
  out.push(book.fire(created, rule, now));
  return created.state;
}
