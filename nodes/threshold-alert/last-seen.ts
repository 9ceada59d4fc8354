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
}

/** A device silent past a staleness rule's limit. */
export interface Silence { rule: StalenessRule; deviceId: string; sensorType: string; last: number }

export class LastSeen {
  private readonly seen = new Map<string, SeenEntry>();

  /**
   * @param startedAt silence counts from here at the earliest, so a restart
   * after downtime does not make every device stale at once.
   */
  constructor(private readonly startedAt: number) {}

  touch(r: Reading, now: number, watchedMetrics: ReadonlySet<string>): void {
    let s = this.seen.get(r.deviceId);
    if (!s) this.seen.set(r.deviceId, (s = { at: now, types: {} }));
    s.at = now;
    s.types[r.sensorType] = now;
    if (!r.event) s.periodic = true;
    for (const m of watchedMetrics) {
      if (m in r.metrics) (s.metrics ??= {})[m] = now;
    }
  }

  /** Stops watching a device until it reports again. */
  forget(deviceId: string): void {
    this.seen.delete(deviceId);
  }

  /**
   * Devices silent for longer than each rule allows. A device that has only
   * ever sent events (a PIR publishing on detection) is not judged by silence
   * unless the rule names its metric or sensor type.
   */
  *silent(rules: readonly Compiled<StalenessRule>[], now: number): Generator<Silence> {
    for (const [deviceId, s] of this.seen) {
      for (const c of rules) {
        const rule = c.rule;
        if (!c.matchDevice(deviceId) || (!rule.metric && !rule.sensorType && !s.periodic)) continue;
        const last = rule.metric ? s.metrics?.[rule.metric] : rule.sensorType ? s.types[rule.sensorType] : s.at;
        if (last === undefined || now - Math.max(last, this.startedAt) < rule.after * 1000) continue;
        yield { rule, deviceId, sensorType: rule.sensorType ?? Object.keys(s.types)[0] ?? '', last };
      }
    }
  }

  toJSON(): Record<string, SeenEntry> {
    return Object.fromEntries(this.seen);
  }

  load(saved: Record<string, SeenEntry> | undefined): void {
    this.seen.clear();
    for (const [id, s] of Object.entries(saved ?? {})) {
      if (s && typeof s.at === 'number' && typeof s.types === 'object' && s.types) this.seen.set(id, s);
    }
  }
}
