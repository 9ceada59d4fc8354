/**
 * When each device last reported (any reading, per sensor type, per metric a
 * staleness rule watches), and which devices have gone silent. No node-red import.
 */
import type { Reading } from '../common/types';
import type { Compiled } from './rule-index';
import type { StalenessRule } from './rules';

/** Last-seen times of one device: any reading, per sensor type, per watched metric. */
export interface SeenEntry {
  at: number;
  types: Record<string, number>;
  metrics?: Record<string, number>;
  /** Sent a reading without an event: reports on its own, so its silence means something. */
  periodic?: boolean;
  /** Silent, but its alert could not be opened (alert bound full): counted once until it reports again. */
  capped?: boolean;
  /**
   * Last availability the device (or its gateway / broker will) announced: 1 online, 0 offline;
   * unset when it has no availability topic (then only silence counts).
   */
  avail?: 0 | 1;
  /** When the offline announcement came (engine clock); set while `avail` is 0. */
  offlineAt?: number;
}

/** Sensor type of availability Readings (Z2M availability, Tasmota LWT, ESPHome / Shelly status). */
export const AVAILABILITY = 'availability';

/** 1 / 0 for an availability Reading (metric `online`), undefined for any other reading. */
export function availabilityOf(r: Reading): 0 | 1 | undefined {
  if (r.sensorType !== AVAILABILITY) return undefined;
  const v = r.metrics.online;
  return v === 1 ? 1 : v === 0 ? 0 : undefined;
}

/** A device silent past a staleness rule's limit, or (`offline`) announced offline for the rule's `for`. */
export interface Silence {
  rule: StalenessRule;
  deviceId: string;
  sensorType: string;
  last: number;
  entry: SeenEntry;
  offline?: boolean;
}

export class LastSeen {
  private readonly seen = new Map<string, SeenEntry>();

  /**
   * @param startedAt silence counts from here at the earliest, so a restart
   * after downtime does not make every device stale at once.
   * @param max devices tracked at most: a new device beyond it is not tracked.
   */
  constructor(
    private readonly startedAt: number,
    readonly max = Infinity,
  ) {}

  get size(): number {
    return this.seen.size;
  }

  /**
   * Records a reading. Returns false when the device is new and the bound is
   * reached: refusing newcomers keeps the devices already watched watched,
   * whatever a flood of invented ids does.
   */
  touch(r: Reading, now: number, watchedMetrics: ReadonlySet<string>): boolean {
    let s = this.seen.get(r.deviceId);
    if (!s) {
      if (this.seen.size >= this.max) return false;
      this.seen.set(r.deviceId, (s = { at: now, types: {} }));
    }
    const avail = availabilityOf(r);
    if (avail === 0) {
      // Announced offline (often by the broker's will, not the device): not a sign of life.
      if (s.avail !== 0) s.offlineAt = now;
      s.avail = 0;
      return true;
    }
    if (avail === 1 || s.avail !== undefined) {
      // Online again: announced, or any reading from a device that has an availability topic.
      s.avail = 1;
      delete s.offlineAt;
    }
    s.at = now;
    if (s.capped) delete s.capped;
    if (avail === 1) return true;
    s.types[r.sensorType] = now;
    if (!r.event) s.periodic = true;
    for (const m of watchedMetrics) {
      if (m in r.metrics) (s.metrics ??= {})[m] = now;
    }
    return true;
  }

  /**
   * Another instance heard from the device at `at` (scale-out): every time of
   * the entry moves up to it, so its silence counts from there. Unknown devices are left alone.
   */
  heardAt(deviceId: string, at: number): void {
    const s = this.seen.get(deviceId);
    if (!s || s.at >= at) return;
    s.at = at;
    for (const t of Object.keys(s.types)) s.types[t] = Math.max(s.types[t], at);
    if (s.metrics) for (const m of Object.keys(s.metrics)) s.metrics[m] = Math.max(s.metrics[m], at);
  }

  /**
   * Scale-out: a device another instance heard from. Unknown here, it is
   * tracked from then on (within the bound); known, its times move up.
   */
  learn(deviceId: string, at: number, sensorType: string, periodic: boolean): void {
    if (this.seen.has(deviceId)) return this.heardAt(deviceId, at);
    if (this.seen.size >= this.max) return;
    const entry: SeenEntry = { at, types: sensorType ? { [sensorType]: at } : {} };
    if (periodic) entry.periodic = true;
    this.seen.set(deviceId, entry);
  }

  /** Stops watching a device until it reports again. */
  forget(deviceId: string): void {
    this.seen.delete(deviceId);
  }

  /**
   * Devices silent for longer than each rule allows. A device that has only
   * ever sent events (a PIR publishing on detection) is not judged by silence
   * unless the rule names its metric or sensor type. A device with an
   * availability topic is judged by it: announced offline for the rule's `for`
   * (any rule matching it), or silent only by a rule naming a metric or sensor type.
   */
  *silent(rules: readonly Compiled<StalenessRule>[], now: number): Generator<Silence> {
    for (const [deviceId, s] of this.seen) yield* this.judge(deviceId, s, rules, now);
  }

  /** The same for one device (an offline announcement is judged as it arrives). */
  silentDevice(deviceId: string, rules: readonly Compiled<StalenessRule>[], now: number): Generator<Silence> | [] {
    const s = this.seen.get(deviceId);
    return s ? this.judge(deviceId, s, rules, now) : [];
  }

  private *judge(deviceId: string, s: SeenEntry, rules: readonly Compiled<StalenessRule>[], now: number): Generator<Silence> {
    for (const c of rules) {
      const rule = c.rule;
      if (!c.matchDevice(deviceId)) continue;
      if (s.avail === 0) {
        // A rule for a sensor type or metric the device never had is not about it.
        if ((rule.sensorType && s.types[rule.sensorType] === undefined) || (rule.metric && s.metrics?.[rule.metric] === undefined)) continue;
        const since = s.offlineAt ?? now;
        if (now - since < (rule.for ?? 0) * 1000) continue;
        yield { rule, deviceId, sensorType: rule.sensorType ?? Object.keys(s.types)[0] ?? AVAILABILITY, last: since, entry: s, offline: true };
        continue;
      }
      if (!rule.metric && !rule.sensorType && (!s.periodic || s.avail === 1)) continue;
      const last = rule.metric ? s.metrics?.[rule.metric] : rule.sensorType ? s.types[rule.sensorType] : s.at;
      if (last === undefined || now - Math.max(last, this.startedAt) < rule.after * 1000) continue;
      yield { rule, deviceId, sensorType: rule.sensorType ?? Object.keys(s.types)[0] ?? '', last, entry: s };
    }
  }

  /** Every device's last reading as shared between instances: when, its (first) sensor type, whether periodic. */
  *shared(): Generator<[string, { at: number; sensorType: string; periodic: boolean }]> {
    for (const [id, s] of this.seen) yield [id, { at: s.at, sensorType: Object.keys(s.types)[0] ?? '', periodic: s.periodic === true }];
  }

  toJSON(): Record<string, SeenEntry> {
    return Object.fromEntries(this.seen);
  }

  /** Loads a saved table; returns how many devices the bound left out (the longest silent go first). */
  load(saved: Record<string, SeenEntry> | undefined): number {
    this.seen.clear();
    let entries = Object.entries(saved ?? {}).filter(([, s]) => s && typeof s.at === 'number' && typeof s.types === 'object' && s.types);
    const over = Math.max(0, entries.length - this.max);
    if (over) entries = entries.sort((a, b) => b[1].at - a[1].at).slice(0, this.max);
    for (const [id, s] of entries) this.seen.set(id, s);
    return over;
  }
}
