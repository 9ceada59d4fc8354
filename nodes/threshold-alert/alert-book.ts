/**
 * The alerts the engine holds, one per rule and device, with their moves
 * (pending -> firing -> acknowledged -> resolved, or cancelled), the
 * transition history, a tally per state and severity, and what changed since
 * the last save. No rule evaluation here (engine.ts decides when to move);
 * pure: the times are passed in.
 */
import type { AlertState, Severity } from '../common/types';
import { AlertRecord, describe, HistoryEntry, titleOf, Transition } from './alert-record';
import type { Rule } from './rules';

/** The settings that bound what grows with input; a drop is reported under the setting's name. */
export type Bound = 'historyLimit' | 'maxDevices' | 'maxAlerts';

/** Nothing to save / save soon (values, last-seen) / save now (a transition). */
export enum Dirty {
  None = 0,
  Soft = 1,
  Urgent = 2,
}

/** Alerts held per state and, of those, per severity. */
export type Tally = Record<AlertState, number> & { bySeverity: Record<Severity, number> };
const emptyTally = (): Tally => ({ pending: 0, firing: 0, acknowledged: 0, resolved: 0, bySeverity: { info: 0, warning: 0, critical: 0 } });
export const ACTIVE: readonly string[] = ['pending', 'firing', 'acknowledged'];

const SEP = '\u0000';
const keyOf = (ruleId: string, deviceId: string): string => ruleId + SEP + deviceId;

export interface BookOptions {
  historyLimit: number;
  maxAlerts: number;
  onDrop: (bound: Bound, n: number) => void;
  /** Appended to new alert ids (scale-out). */
  idSuffix: string;
}

export class AlertBook {
  private readonly active = new Map<string, AlertRecord>();
  private history: HistoryEntry[] = [];
  private seq = 0;
  private dirty = Dirty.None;
  /** Active alerts per state and severity, kept as they change so counting costs nothing in a storm. */
  private tally = emptyTally();

  constructor(private readonly opts: BookOptions) {}

  get size(): number {
    return this.active.size;
  }

  /** The active alert of a rule on a device. */
  get(ruleId: string, deviceId: string): AlertRecord | undefined {
    return this.active.get(keyOf(ruleId, deviceId));
  }

  /** A copy of the active alerts, safe to move while iterating. */
  all(): AlertRecord[] {
    return [...this.active.values()];
  }

  /** The active alert with this id, else undefined and whether it was one in the history. */
  byId(alertId: string): { alert?: AlertRecord; past: boolean } {
    for (const a of this.active.values()) if (a.id === alertId) return { alert: a, past: false };
    return { past: this.history.some((h) => h.alertId === alertId) };
  }

  /** A new pending alert, or undefined (counted unless `count` is false) when maxAlerts are held. */
  open(
    rule: Rule,
    deviceId: string,
    sensorType: string,
    metric: string,
    value: number | null,
    threshold: AlertRecord['threshold'],
    now: number,
    count = true,
  ): AlertRecord | undefined {
    if (this.active.size >= this.opts.maxAlerts) {
      if (count) this.opts.onDrop('maxAlerts', 1);
      return undefined;
    }
    const a: AlertRecord = {
      id: `${rule.id}:${deviceId}:${now.toString(36)}${(this.seq++).toString(36)}${this.opts.idSuffix}`,
      ruleId: rule.id,
      deviceId,
      metric,
      value,
      threshold,
      severity: rule.severity,
      state: 'pending',
      since: now,
      title: '',
      text: '',
      kind: rule.kind,
      sensorType,
      startedAt: now,
      lastBadAt: now,
    };
    a.title = titleOf(rule, a);
    a.text = describe(rule, a);
    this.active.set(keyOf(rule.id, deviceId), a);
    this.count(a, 1);
    this.log(a, 'pending', now);
    return a;
  }

  fire(a: AlertRecord, rule: Rule, now: number): Transition {
    this.count(a, -1);
    Object.assign(a, { state: 'firing', since: now, firedAt: now, lastNotifiedAt: now, text: describe(rule, a) });
    this.count(a, 1);
    this.log(a, 'fired', now);
    return { event: 'fired', alert: { ...a } };
  }

  /** A pending alert whose condition cleared before it fired. */
  cancel(a: AlertRecord, now: number): void {
    this.active.delete(keyOf(a.ruleId, a.deviceId));
    this.count(a, -1);
    this.log(a, 'cancelled', now);
  }

  acknowledge(a: AlertRecord, now: number, by: string, reason: string | undefined): Transition {
    this.count(a, -1);
    Object.assign(a, { state: 'acknowledged', since: now, acknowledgedBy: by, acknowledgedAt: now, reason });
    this.count(a, 1);
    if (reason === undefined) delete a.reason;
    this.log(a, 'acknowledged', now, by, reason);
    return { event: 'acknowledged', alert: { ...a }, by, reason };
  }

  finish(a: AlertRecord, now: number, by: string, reason: string): Transition {
    this.active.delete(keyOf(a.ruleId, a.deviceId));
    this.count(a, -1);
    Object.assign(a, { state: 'resolved', since: now, resolvedBy: by, reason });
    this.log(a, 'resolved', now, by, reason);
    return { event: 'resolved', alert: { ...a }, by, reason };
  }

  private log(a: AlertRecord, event: HistoryEntry['event'], at: number, by?: string, reason?: string): void {
    const e: HistoryEntry = { at, event, alertId: a.id, ruleId: a.ruleId, deviceId: a.deviceId, severity: a.severity, value: a.value };
    if (by !== undefined) e.by = by;
    if (reason !== undefined) e.reason = reason;
    const limit = this.opts.historyLimit;
    if (this.history.length >= limit) this.opts.onDrop('historyLimit', 1);
    this.history.push(e);
    // Trimmed in one go at twice the limit: a storm of transitions costs no O(limit) shift per entry.
    if (this.history.length >= 2 * limit) this.history.splice(0, this.history.length - limit);
    this.mark(Dirty.Urgent);
  }

  /**
   * Scale-out (shared-alerts.ts): takes the shared record of (rule, device) as
   * this instance's, keeping the local evaluation fields (value, timers). No
   * transition, no history: the instance that won the transition logged it.
   * `shared` undefined: no alert is active anywhere; a local pending one stays.
   */
  adopt(ruleId: string, deviceId: string, shared: AlertRecord | undefined): void {
    const key = keyOf(ruleId, deviceId);
    const local = this.active.get(key);
    if (!shared || !ACTIVE.includes(shared.state)) {
      if (!local || local.state === 'pending') return;
      this.active.delete(key);
      this.count(local, -1);
      this.mark(Dirty.Urgent);
      return;
    }
    if (local && local.id === shared.id && local.state === shared.state && local.acknowledgedBy === shared.acknowledgedBy) return;
    const next: AlertRecord = local
      ? { ...shared, value: local.value, lastBadAt: Math.max(local.lastBadAt, shared.lastBadAt ?? 0), clearSince: local.clearSince }
      : { ...shared };
    if (next.clearSince === undefined) delete next.clearSince;
    if (local) this.count(local, -1);
    this.active.set(key, next);
    this.count(next, 1);
    this.mark(Dirty.Urgent);
  }

  /** Scale-out: the active alerts as every instance sees them (non-pending local ones missing there are dropped). */
  syncShared(shared: readonly AlertRecord[], hasRule: (ruleId: string) => boolean): void {
    const byKey = new Map(shared.map((a) => [keyOf(a.ruleId, a.deviceId), a]));
    for (const a of [...this.active.values()]) {
      if (a.state !== 'pending' && !byKey.has(keyOf(a.ruleId, a.deviceId))) this.adopt(a.ruleId, a.deviceId, undefined);
    }
    for (const a of byKey.values()) {
      if (hasRule(a.ruleId)) this.adopt(a.ruleId, a.deviceId, a);
    }
  }

  /** The last `historyLimit` transitions, oldest first. */
  recent(): HistoryEntry[] {
    return this.history.slice(-this.opts.historyLimit);
  }

  /** Alerts held per state and per severity (of those active), without copies of the alerts. */
  counts(): Tally {
    const t = this.tally;
    return { ...t, bySeverity: { ...t.bySeverity } };
  }

  private count(a: AlertRecord, d: 1 | -1): void {
    this.tally[a.state] += d;
    if (a.severity in this.tally.bySeverity) this.tally.bySeverity[a.severity] += d;
  }

  mark(d: Dirty): void {
    if (d > this.dirty) this.dirty = d;
  }

  /** What changed since the last call (for the debounced store). */
  takeDirty(): Dirty {
    const d = this.dirty;
    this.dirty = Dirty.None;
    return d;
  }

  /** Replaces everything with a saved state's alerts (active ones, up to maxAlerts) and history. */
  load(alerts: unknown, history: unknown): void {
    this.history = Array.isArray(history) ? history.slice(-this.opts.historyLimit) : [];
    this.active.clear();
    this.tally = emptyTally();
    let over = 0;
    for (const a of (Array.isArray(alerts) ? alerts : []) as AlertRecord[]) {
      if (a && typeof a.id === 'string' && typeof a.ruleId === 'string' && typeof a.deviceId === 'string' && ACTIVE.includes(a.state)) {
        if (this.active.size >= this.opts.maxAlerts) over++;
        else {
          const copy = { ...a };
          this.active.set(keyOf(a.ruleId, a.deviceId), copy);
          this.count(copy, 1);
        }
      }
    }
    if (over) this.opts.onDrop('maxAlerts', over);
  }
}
