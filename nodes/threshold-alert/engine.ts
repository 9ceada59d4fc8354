/**
 * The alert engine: rule evaluation, the pending -> firing -> acknowledged ->
 * resolved lifecycle (one alert per rule and device), staleness, the armed
 * state, and a snapshot that restores without re-firing. Pure: the clock is
 * injected, nothing here touches Node-RED, files or timers.
 */
import { ValidationError } from '../common/errors';
import type { AlertState, Reading, Severity } from '../common/types';
import { AlertRecord, describe, HistoryEntry, OFFLINE_METRIC, titleOf, Transition } from './alert-record';
import { availabilityOf, LastSeen, SeenEntry, Silence } from './last-seen';
import { Compiled, RuleIndex } from './rule-index';
import { compare, EventRule, Rule, ThresholdRule } from './rules';

export interface Verdict { ruleId: string; state: AlertState | 'ok' }

/** What is persisted (see store.ts). */
export interface EngineState {
  version: 1;
  armed: boolean;
  alerts: AlertRecord[];
  history: HistoryEntry[];
  seen: Record<string, SeenEntry>;
}

export interface ActionRequest {
  action: 'ack' | 'resolve';
  alertId?: string;
  ruleId?: string;
  deviceId?: string;
  by: string;
  reason?: string;
}

/** The settings that bound what grows with input; a drop is reported under the setting's name. */
export type Bound = 'historyLimit' | 'maxDevices' | 'maxAlerts';

export interface EngineOptions {
  now?: () => number;
  /** Transitions kept in the history (default 500). */
  historyLimit?: number;
  /** Devices tracked for staleness (default unbounded). */
  maxDevices?: number;
  /** Alerts held at once (default unbounded). */
  maxAlerts?: number;
  /** Told what a bound dropped: history entries, readings of untracked devices, alerts not opened. */
  onDrop?: (bound: Bound, n: number) => void;
  /** Appended to new alert ids: scale-out makes them unique per instance (shared-alerts.ts). */
  idSuffix?: string;
}

/** Nothing to save / save soon (values, last-seen) / save now (a transition). */
export enum Dirty { None = 0, Soft = 1, Urgent = 2 }

const SEP = '\u0000';

/** Alerts held per state and, of those, per severity. */
export type Tally = Record<AlertState, number> & { bySeverity: Record<Severity, number> };
const emptyTally = (): Tally => ({ pending: 0, firing: 0, acknowledged: 0, resolved: 0, bySeverity: { info: 0, warning: 0, critical: 0 } });
const ACTIVE: readonly string[] = ['pending', 'firing', 'acknowledged'];

export class AlertEngine {
  private index: RuleIndex;
  private readonly active = new Map<string, AlertRecord>();
  private history: HistoryEntry[] = [];
  private readonly seen: LastSeen;
  private readonly now: () => number;
  private readonly historyLimit: number;
  private readonly maxAlerts: number;
  private readonly onDrop: (bound: Bound, n: number) => void;
  private readonly idSuffix: string;
  private seq = 0;
  private dirty = Dirty.None;
  /** Active alerts per state and severity, kept as they change so counting costs nothing in a storm. */
  private tally = emptyTally();
  armed = false;

  constructor(rules: readonly Rule[], opts: EngineOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.historyLimit = opts.historyLimit ?? 500;
    this.maxAlerts = opts.maxAlerts ?? Infinity;
    this.onDrop = opts.onDrop ?? (() => undefined);
    this.idSuffix = opts.idSuffix ?? '';
    this.index = new RuleIndex(rules);
    this.seen = new LastSeen(this.now(), opts.maxDevices ?? Infinity);
  }

  get rules(): readonly Rule[] { return this.index.rules; }

  /** The rule with this id, if any. */
  rule(id: string): Rule | undefined { return this.index.byId.get(id); }

  /** Replaces the rules; alerts of removed or disabled rules resolve. */
  setRules(rules: readonly Rule[]): Transition[] {
    this.index = new RuleIndex(rules);
    this.mark(Dirty.Urgent);
    return this.reconcile();
  }

  /** Evaluates one reading against the rules that can match it. */
  evaluate(r: Reading): { transitions: Transition[]; verdicts: Verdict[] } {
    const now = this.now();
    const out: Transition[] = [];
    const verdicts: Verdict[] = [];
    if (this.seen.touch(r, now, this.index.watchedMetrics)) this.mark(Dirty.Soft);
    else this.onDrop('maxDevices', 1);
    const avail = availabilityOf(r);
    if (avail === 0) {
      // Announced offline: staleness rules fire now (or once their `for` has passed, on a tick).
      if (this.index.staleness.length) {
        for (const s of this.seen.silentDevice(r.deviceId, this.index.staleness, now)) {
          const t = this.openSilent(s, now);
          if (t) { out.push(t); verdicts.push({ ruleId: s.rule.id, state: 'firing' }); }
        }
      }
    }
    for (const c of avail === 0 ? [] : this.index.staleness) {
      const rule = c.rule;
      if (!c.matchDevice(r.deviceId)) continue;
      const a = this.active.get(rule.id + SEP + r.deviceId);
      if (!a || a.state === 'pending') continue;
      // An offline alert ends with any sign of life; a silence alert with a reading the rule watches.
      const offline = a.metric === OFFLINE_METRIC;
      if (!offline && ((rule.sensorType && rule.sensorType !== r.sensorType) || (rule.metric && !(rule.metric in r.metrics)))) continue;
      out.push(this.finish(a, now, 'system', offline ? 'device online' : 'reading received'));
      verdicts.push({ ruleId: rule.id, state: 'resolved' });
    }
    const cands: Compiled<ThresholdRule>[] = [];
    for (const metric in r.metrics) {
      const value = r.metrics[metric];
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      cands.length = 0;
      this.index.thresholdRules(metric, r.sensorType, r.deviceId, cands);
      for (const c of cands) verdicts.push({ ruleId: c.rule.id, state: this.threshold(c.rule, r, value, now, out) });
    }
    if (r.event) {
      for (const c of this.index.eventRules(r.event.type, r.deviceId, r.sensorType)) {
        if (c.rule.whileArmed && !this.armed) continue;
        verdicts.push({ ruleId: c.rule.id, state: this.event(c.rule, r, now, out) });
      }
    }
    return { transitions: out, verdicts };
  }

  private threshold(rule: ThresholdRule, r: Reading, value: number, now: number, out: Transition[]): Verdict['state'] {
    const key = rule.id + SEP + r.deviceId;
    let a = this.active.get(key);
    if (!a) {
      if (!compare(rule.operator, value, rule.threshold)) return 'ok';
      a = this.open(rule, r.deviceId, r.sensorType, rule.metric, value, rule.threshold, now);
      if (!a) return 'ok';
      if (rule.for === 0) out.push(this.fire(a, rule, now));
      return a.state;
    }
    a.value = value;
    this.mark(Dirty.Soft);
    if (compare(rule.operator, value, rule.clear ?? rule.threshold)) {
      a.lastBadAt = now;
      if (a.clearSince !== undefined) { delete a.clearSince; this.mark(Dirty.Urgent); }
      if (a.state === 'pending' && now - a.startedAt >= rule.for * 1000) out.push(this.fire(a, rule, now));
      return a.state;
    }
    if (a.state === 'pending') {
      this.cancel(a, now);
      return 'ok';
    }
    if (a.clearSince === undefined) { a.clearSince = now; this.mark(Dirty.Urgent); }
    if (now - a.clearSince >= rule.keepFiring * 1000) {
      out.push(this.finish(a, now, 'system', 'value back to normal'));
      return 'resolved';
    }
    return a.state;
  }

  private event(rule: EventRule, r: Reading, now: number, out: Transition[]): Verdict['state'] {
    const a = this.active.get(rule.id + SEP + r.deviceId);
    if (a) {
      a.lastBadAt = now;
      this.mark(Dirty.Soft);
      return a.state;
    }
    const created = this.open(rule, r.deviceId, r.sensorType, r.event!.type, null, null, now);
    if (!created) return 'ok';
    out.push(this.fire(created, rule, now));
    return created.state;
  }

  /**
   * Timer work: pending -> firing, keep-firing expiry, event expiry, repeats,
   * staleness (unless `staleness` is false: scale-out leaves it to one instance).
   */
  tick(staleness = true): Transition[] {
    const now = this.now();
    const out: Transition[] = [];
    for (const a of [...this.active.values()]) {
      const rule = this.index.byId.get(a.ruleId);
      if (!rule) continue;
      if (a.state === 'pending') {
        if (rule.kind === 'threshold' && now - a.startedAt >= rule.for * 1000) out.push(this.fire(a, rule, now));
        continue;
      }
      if (rule.kind === 'threshold' && a.clearSince !== undefined && now - a.clearSince >= rule.keepFiring * 1000) {
        out.push(this.finish(a, now, 'system', 'value back to normal'));
        continue;
      }
      if (rule.kind === 'event' && rule.keepFiring > 0 && now - a.lastBadAt >= rule.keepFiring * 1000) {
        out.push(this.finish(a, now, 'system', `no ${a.metric} for ${rule.keepFiring} s`));
        continue;
      }
      if (a.state === 'firing' && rule.repeat > 0 && now - (a.lastNotifiedAt ?? a.since) >= rule.repeat * 1000) {
        a.lastNotifiedAt = now;
        a.text = describe(rule, a);
        this.mark(Dirty.Urgent);
        out.push({ event: 'repeated', alert: { ...a } });
      }
    }
    if (staleness && this.index.staleness.length) this.checkStaleness(now, out);
    return out;
  }

  private checkStaleness(now: number, out: Transition[]): void {
    for (const s of this.seen.silent(this.index.staleness, now)) {
      const t = this.openSilent(s, now);
      if (t) out.push(t);
    }
  }

  /** Opens and fires the alert of a silent (or announced offline) device, unless one is active. */
  private openSilent({ rule, deviceId, sensorType, last, entry, offline }: Silence, now: number): Transition | undefined {
    if (this.active.has(rule.id + SEP + deviceId)) return undefined;
    // Full: counted once per silence, opened on a later tick once there is room.
    const a = offline
      ? this.open(rule, deviceId, sensorType, OFFLINE_METRIC, 0, null, now, !entry.capped)
      : this.open(rule, deviceId, sensorType, rule.metric ?? 'last_seen', Math.round((now - last) / 1000), rule.after, now, !entry.capped);
    if (!a) { entry.capped = true; return undefined; }
    delete entry.capped;
    return this.fire(a, rule, now);
  }

  /** A new pending alert, or undefined (counted unless `count` is false) when maxAlerts are held. */
  private open(rule: Rule, deviceId: string, sensorType: string, metric: string, value: number | null,
    threshold: AlertRecord['threshold'], now: number, count = true): AlertRecord | undefined {
    if (this.active.size >= this.maxAlerts) {
      if (count) this.onDrop('maxAlerts', 1);
      return undefined;
    }
    const a: AlertRecord = {
      id: `${rule.id}:${deviceId}:${now.toString(36)}${(this.seq++).toString(36)}${this.idSuffix}`,
      ruleId: rule.id, deviceId, metric, value, threshold, severity: rule.severity, state: 'pending',
      since: now, title: '', text: '', kind: rule.kind, sensorType, startedAt: now, lastBadAt: now,
    };
    a.title = titleOf(rule, a);
    a.text = describe(rule, a);
    this.active.set(rule.id + SEP + deviceId, a);
    this.count(a, 1);
    this.log(a, 'pending', now);
    return a;
  }

  private fire(a: AlertRecord, rule: Rule, now: number): Transition {
    this.count(a, -1);
    Object.assign(a, { state: 'firing', since: now, firedAt: now, lastNotifiedAt: now, text: describe(rule, a) });
    this.count(a, 1);
    this.log(a, 'fired', now);
    return { event: 'fired', alert: { ...a } };
  }

  private cancel(a: AlertRecord, now: number): void {
    this.active.delete(a.ruleId + SEP + a.deviceId);
    this.count(a, -1);
    this.log(a, 'cancelled', now);
  }

  private finish(a: AlertRecord, now: number, by: string, reason: string): Transition {
    this.active.delete(a.ruleId + SEP + a.deviceId);
    this.count(a, -1);
    Object.assign(a, { state: 'resolved', since: now, resolvedBy: by, reason });
    this.log(a, 'resolved', now, by, reason);
    return { event: 'resolved', alert: { ...a }, by, reason };
  }

  private log(a: AlertRecord, event: HistoryEntry['event'], at: number, by?: string, reason?: string): void {
    const e: HistoryEntry = { at, event, alertId: a.id, ruleId: a.ruleId, deviceId: a.deviceId, severity: a.severity, value: a.value };
    if (by !== undefined) e.by = by;
    if (reason !== undefined) e.reason = reason;
    if (this.history.length >= this.historyLimit) this.onDrop('historyLimit', 1);
    this.history.push(e);
    // Trimmed in one go at twice the limit: a storm of transitions costs no O(limit) shift per entry.
    if (this.history.length >= 2 * this.historyLimit) this.history.splice(0, this.history.length - this.historyLimit);
    this.mark(Dirty.Urgent);
  }

  /** Acknowledge or resolve by hand. Throws ValidationError naming what is wrong. */
  act(req: ActionRequest): Transition {
    const a = this.find(req);
    const now = this.now();
    if (req.action === 'ack') {
      if (a.state === 'acknowledged') throw new ValidationError(`alert ${a.id} is already acknowledged by ${a.acknowledgedBy}`, 'alertId');
      if (a.state !== 'firing') throw new ValidationError(`alert ${a.id} is ${a.state}; only a firing alert can be acknowledged`, 'alertId');
      this.count(a, -1);
      Object.assign(a, { state: 'acknowledged', since: now, acknowledgedBy: req.by, acknowledgedAt: now, reason: req.reason });
      this.count(a, 1);
      if (req.reason === undefined) delete a.reason;
      this.log(a, 'acknowledged', now, req.by, req.reason);
      return { event: 'acknowledged', alert: { ...a }, by: req.by, reason: req.reason };
    }
    if (a.state === 'pending') throw new ValidationError(`alert ${a.id} is pending (not fired yet); only firing or acknowledged alerts can be resolved`, 'alertId');
    // A silent device resolved by hand is taken as retired: it is watched again once it reports.
    if (a.kind === 'staleness') this.seen.forget(a.deviceId);
    return this.finish(a, now, req.by, req.reason ?? 'resolved by hand');
  }

  private find(req: ActionRequest): AlertRecord {
    if (req.alertId !== undefined) {
      for (const a of this.active.values()) if (a.id === req.alertId) return a;
      const past = this.history.some((h) => h.alertId === req.alertId);
      throw new ValidationError(past ? `alert ${req.alertId} is already resolved` : `no active alert with id ${req.alertId}`, 'alertId');
    }
    const a = this.active.get(`${req.ruleId}${SEP}${req.deviceId}`);
    if (!a) throw new ValidationError(`no active alert for rule ${req.ruleId} on device ${req.deviceId}`, 'ruleId');
    return a;
  }

  /**
   * Scale-out (shared-alerts.ts): takes the shared record of (rule, device) as
   * this instance's, keeping the local evaluation fields (value, timers). No
   * transition, no history: the instance that won the transition logged it.
   * `shared` undefined: no alert is active anywhere; a local pending one stays.
   */
  adopt(ruleId: string, deviceId: string, shared: AlertRecord | undefined): void {
    const key = ruleId + SEP + deviceId;
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
  syncShared(shared: readonly AlertRecord[]): void {
    const byKey = new Map(shared.map((a) => [a.ruleId + SEP + a.deviceId, a]));
    for (const a of [...this.active.values()]) {
      if (a.state !== 'pending' && !byKey.has(a.ruleId + SEP + a.deviceId)) this.adopt(a.ruleId, a.deviceId, undefined);
    }
    for (const a of byKey.values()) {
      if (this.index.byId.has(a.ruleId)) this.adopt(a.ruleId, a.deviceId, a);
    }
  }

  /** Scale-out: the shared last-seen table, for the instance that checks staleness for all. */
  learnSeen(deviceId: string, at: number, sensorType: string, periodic: boolean): void {
    this.seen.learn(deviceId, at, sensorType, periodic);
  }

  /** Scale-out: another instance heard from the device at `at` (shared last-seen). */
  seenElsewhere(deviceId: string, at: number): void {
    this.seen.heardAt(deviceId, at);
  }

  /** Arms or disarms event rules marked `whileArmed`. Returns whether it changed. */
  setArmed(armed: boolean): boolean {
    if (this.armed === armed) return false;
    this.armed = armed;
    this.mark(Dirty.Urgent);
    return true;
  }

  list(): { active: AlertRecord[]; history: HistoryEntry[]; armed: boolean } {
    return { active: [...this.active.values()].map((a) => ({ ...a })), history: this.recent(), armed: this.armed };
  }

  /** The last `historyLimit` transitions, oldest first. */
  private recent(): HistoryEntry[] {
    return this.history.slice(-this.historyLimit);
  }

  /** Alerts held per state and per severity (of those active), in one pass and without copies. */
  counts(): Tally & { devices: number } {
    const t = this.tally;
    return { ...t, bySeverity: { ...t.bySeverity }, devices: this.seen.size };
  }

  private count(a: AlertRecord, d: 1 | -1): void {
    this.tally[a.state] += d;
    if (a.severity in this.tally.bySeverity) this.tally.bySeverity[a.severity] += d;
  }

  private mark(d: Dirty): void { if (d > this.dirty) this.dirty = d; }

  /** What changed since the last call (for the debounced store). */
  takeDirty(): Dirty {
    const d = this.dirty;
    this.dirty = Dirty.None;
    return d;
  }

  snapshot(): EngineState {
    return { version: 1, armed: this.armed, alerts: [...this.active.values()], history: this.recent(), seen: this.seen.toJSON() };
  }

  /**
   * Loads a saved state. Alerts come back in the state they were in (nothing is
   * re-emitted); alerts whose rule is gone resolve, and those transitions are returned.
   */
  restore(state: EngineState): Transition[] {
    this.armed = state.armed === true;
    this.history = Array.isArray(state.history) ? state.history.slice(-this.historyLimit) : [];
    this.active.clear();
    this.tally = emptyTally();
    let over = 0;
    for (const a of Array.isArray(state.alerts) ? state.alerts : []) {
      if (a && typeof a.id === 'string' && typeof a.ruleId === 'string' && typeof a.deviceId === 'string' && ACTIVE.includes(a.state)) {
        if (this.active.size >= this.maxAlerts) over++;
        else {
          const copy = { ...a };
          this.active.set(a.ruleId + SEP + a.deviceId, copy);
          this.count(copy, 1);
        }
      }
    }
    if (over) this.onDrop('maxAlerts', over);
    const untracked = this.seen.load(state.seen);
    if (untracked) this.onDrop('maxDevices', untracked);
    return this.reconcile();
  }

  private reconcile(): Transition[] {
    const now = this.now();
    const out: Transition[] = [];
    for (const a of [...this.active.values()]) {
      const rule = this.index.byId.get(a.ruleId);
      if (rule && rule.enabled && rule.kind === a.kind) continue;
      const why = !rule ? 'rule removed' : !rule.enabled ? 'rule disabled' : 'rule changed kind';
      if (a.state === 'pending') this.cancel(a, now);
      else out.push(this.finish(a, now, 'system', why));
    }
    return out;
  }
}
