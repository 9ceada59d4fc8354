/**
 * The alert engine: each reading against the rules that can match it
 * (threshold and event rules in evaluate.ts), timers' work (pending time,
 * keep-firing, repeats, staleness), the armed state, acknowledging and
 * resolving by hand, and a snapshot that restores without re-firing. The
 * alerts themselves and their lifecycle moves are held in alert-book.ts.
 * Pure: the clock is injected, nothing here touches Node-RED, files or timers.
 */
import { ValidationError } from '../common/errors';
import type { Reading } from '../common/types';
import { AlertBook, Dirty } from './alert-book';
import type { Bound, Tally } from './alert-book';
import { AlertRecord, describe, HistoryEntry, OFFLINE_METRIC, Transition } from './alert-record';
import { availabilityOf, LastSeen, SeenEntry, Silence } from './last-seen';
import { Compiled, RuleIndex } from './rule-index';
import { eventVerdict, RuleVerdict, thresholdVerdict } from './evaluate';
import { Rule, ThresholdRule } from './rules';

export interface Verdict {
  ruleId: string;
  state: RuleVerdict;
}

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

export { Dirty };
export type { Bound, Tally };

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

export class AlertEngine {
  private index: RuleIndex;
  private readonly book: AlertBook;
  private readonly seen: LastSeen;
  private readonly now: () => number;
  private readonly onDrop: (bound: Bound, n: number) => void;
  armed = false;

  constructor(rules: readonly Rule[], opts: EngineOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.onDrop = opts.onDrop ?? (() => undefined);
    this.book = new AlertBook({
      historyLimit: opts.historyLimit ?? 500,
      maxAlerts: opts.maxAlerts ?? Infinity,
      onDrop: this.onDrop,
      idSuffix: opts.idSuffix ?? '',
    });
    this.index = new RuleIndex(rules);
    this.seen = new LastSeen(this.now(), opts.maxDevices ?? Infinity);
  }

  get rules(): readonly Rule[] {
    return this.index.rules;
  }

  /** The rule with this id, if any. */
  rule(id: string): Rule | undefined {
    return this.index.byId.get(id);
  }

  /** Replaces the rules; alerts of removed or disabled rules resolve. */
  setRules(rules: readonly Rule[]): Transition[] {
    this.index = new RuleIndex(rules);
    this.mark(Dirty.Urgent);
    return this.reconcile();
  }

  /** Evaluates one reading against the rules that can match it. */
  evaluate(r: Reading): { transitions: Transition[]; verdicts: Verdict[] } {
    const transitions: Transition[] = [];
    const verdicts: Verdict[] = [];
    this.evaluateInto(r, transitions, verdicts);
    return { transitions, verdicts };
  }

  /**
   * The same, adding to `out`; verdicts only when asked for (`verdicts`): a batch whose
   * verdicts nobody reads (output 2 unwired) makes no object per rule and reading.
   */
  evaluateInto(r: Reading, out: Transition[], verdicts?: Verdict[]): void {
    const now = this.now();
    if (this.seen.touch(r, now, this.index.watchedMetrics)) this.mark(Dirty.Soft);
    else this.onDrop('maxDevices', 1);
    const avail = availabilityOf(r);
    if (avail === 0) {
      // Announced offline: staleness rules fire now (or once their `for` has passed, on a tick).
      if (this.index.staleness.length) {
        for (const s of this.seen.silentDevice(r.deviceId, this.index.staleness, now)) {
          const t = this.openSilent(s, now);
          if (t) {
            out.push(t);
            verdicts?.push({ ruleId: s.rule.id, state: 'firing' });
          }
        }
      }
    }
    for (const c of avail === 0 ? [] : this.index.staleness) {
      const rule = c.rule;
      if (!c.matchDevice(r.deviceId)) continue;
      const a = this.book.get(rule.id, r.deviceId);
      if (!a || a.state === 'pending') continue;
      // An offline alert ends with any sign of life; a silence alert with a reading the rule watches.
      const offline = a.metric === OFFLINE_METRIC;
      if (!offline && ((rule.sensorType && rule.sensorType !== r.sensorType) || (rule.metric && !(rule.metric in r.metrics)))) continue;
      out.push(this.book.finish(a, now, 'system', offline ? 'device online' : 'reading received'));
      verdicts?.push({ ruleId: rule.id, state: 'resolved' });
    }
    const cands: Compiled<ThresholdRule>[] = [];
    for (const metric in r.metrics) {
      const value = r.metrics[metric];
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      cands.length = 0;
      this.index.thresholdRules(metric, r.sensorType, r.deviceId, cands);
      for (const c of cands) {
        const state = thresholdVerdict(this.book, c.rule, r, value, now, out);
        verdicts?.push({ ruleId: c.rule.id, state });
      }
    }
    if (r.event) {
      for (const c of this.index.eventRules(r.event.type, r.deviceId, r.sensorType)) {
        if (c.rule.whileArmed && !this.armed) continue;
        const state = eventVerdict(this.book, c.rule, r, now, out);
        verdicts?.push({ ruleId: c.rule.id, state });
      }
    }
  }

  /**
   * Timer work: pending -> firing, keep-firing expiry, event expiry, repeats,
   * staleness (unless `staleness` is false: scale-out leaves it to one instance).
   */
  tick(staleness = true): Transition[] {
    const now = this.now();
    const out: Transition[] = [];
    for (const a of this.book.all()) {
      const rule = this.index.byId.get(a.ruleId);
      if (!rule) continue;
      if (a.state === 'pending') {
        if (rule.kind === 'threshold' && now - a.startedAt >= rule.for * 1000) out.push(this.book.fire(a, rule, now));
        continue;
      }
      if (rule.kind === 'threshold' && a.clearSince !== undefined && now - a.clearSince >= rule.keepFiring * 1000) {
        out.push(this.book.finish(a, now, 'system', 'value back to normal'));
        continue;
      }
      if (rule.kind === 'event' && rule.keepFiring > 0 && now - a.lastBadAt >= rule.keepFiring * 1000) {
        out.push(this.book.finish(a, now, 'system', `no ${a.metric} for ${rule.keepFiring} s`));
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
    if (this.book.get(rule.id, deviceId)) return undefined;
    // Full: counted once per silence, opened on a later tick once there is room.
    const a = offline
      ? this.book.open(rule, deviceId, sensorType, OFFLINE_METRIC, 0, null, now, !entry.capped)
      : this.book.open(rule, deviceId, sensorType, rule.metric ?? 'last_seen', Math.round((now - last) / 1000), rule.after, now, !entry.capped);
    if (!a) {
      entry.capped = true;
      return undefined;
    }
    delete entry.capped;
    return this.book.fire(a, rule, now);
  }

  /** Acknowledge or resolve by hand. Throws ValidationError naming what is wrong. */
  act(req: ActionRequest): Transition {
    const a = this.find(req);
    const now = this.now();
    if (req.action === 'ack') {
      if (a.state === 'acknowledged') throw new ValidationError(`alert ${a.id} is already acknowledged by ${a.acknowledgedBy}`, 'alertId');
      if (a.state !== 'firing') throw new ValidationError(`alert ${a.id} is ${a.state}; only a firing alert can be acknowledged`, 'alertId');
      return this.book.acknowledge(a, now, req.by, req.reason);
    }
    if (a.state === 'pending')
      throw new ValidationError(`alert ${a.id} is pending (not fired yet); only firing or acknowledged alerts can be resolved`, 'alertId');
    // A silent device resolved by hand is taken as retired: it is watched again once it reports.
    if (a.kind === 'staleness') this.seen.forget(a.deviceId);
    return this.book.finish(a, now, req.by, req.reason ?? 'resolved by hand');
  }

  private find(req: ActionRequest): AlertRecord {
    if (req.alertId !== undefined) {
      const { alert, past } = this.book.byId(req.alertId);
      if (alert) return alert;
      throw new ValidationError(past ? `alert ${req.alertId} is already resolved` : `no active alert with id ${req.alertId}`, 'alertId');
    }
    const a = this.book.get(String(req.ruleId), String(req.deviceId));
    if (!a) throw new ValidationError(`no active alert for rule ${req.ruleId} on device ${req.deviceId}`, 'ruleId');
    return a;
  }

  /** Scale-out (shared-alerts.ts): takes the shared record of (rule, device) as this instance's; see AlertBook.adopt. */
  adopt(ruleId: string, deviceId: string, shared: AlertRecord | undefined): void {
    this.book.adopt(ruleId, deviceId, shared);
  }

  /** Scale-out: the active alerts as every instance sees them (non-pending local ones missing there are dropped). */
  syncShared(shared: readonly AlertRecord[]): void {
    this.book.syncShared(shared, (ruleId) => this.index.byId.has(ruleId));
  }

  /** Scale-out: the shared last-seen table, for the instance that checks staleness for all. */
  learnSeen(deviceId: string, at: number, sensorType: string, periodic: boolean): void {
    this.seen.learn(deviceId, at, sensorType, periodic);
  }

  /** Scale-out: this instance's whole last-seen table, to put back into a Redis that lost it. */
  lastSeen(): Iterable<[string, { at: number; sensorType: string; periodic: boolean }]> {
    return this.seen.shared();
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
    return { active: this.book.all().map((a) => ({ ...a })), history: this.book.recent(), armed: this.armed };
  }

  /** Alerts held per state and per severity (of those active), without copies; and devices tracked. */
  counts(): Tally & { devices: number } {
    return { ...this.book.counts(), devices: this.seen.size };
  }

  private mark(d: Dirty): void {
    this.book.mark(d);
  }

  /** What changed since the last call (for the debounced store). */
  takeDirty(): Dirty {
    return this.book.takeDirty();
  }

  snapshot(): EngineState {
    return { version: 1, armed: this.armed, alerts: this.book.all(), history: this.book.recent(), seen: this.seen.toJSON() };
  }

  /**
   * Loads a saved state. Alerts come back in the state they were in (nothing is
   * re-emitted); alerts whose rule is gone resolve, and those transitions are returned.
   */
  restore(state: EngineState): Transition[] {
    this.armed = state.armed === true;
    this.book.load(state.alerts, state.history);
    const untracked = this.seen.load(state.seen);
    if (untracked) this.onDrop('maxDevices', untracked);
    return this.reconcile();
  }

  private reconcile(): Transition[] {
    const now = this.now();
    const out: Transition[] = [];
    for (const a of this.book.all()) {
      const rule = this.index.byId.get(a.ruleId);
      if (rule && rule.enabled && rule.kind === a.kind) continue;
      const why = !rule ? 'rule removed' : !rule.enabled ? 'rule disabled' : 'rule changed kind';
      if (a.state === 'pending') this.book.cancel(a, now);
      else out.push(this.book.finish(a, now, 'system', why));
    }
    return out;
  }
}
