/**
 * Rules indexed by what a reading must carry for them to match, so a reading
 * only meets the rules that can apply: threshold rules by metric then sensor
 * type, event rules by event type. Cost per reading stays flat as rules grow.
 */
import { compileWildcard, EventRule, Rule, StalenessRule, ThresholdRule } from './rules';

/** A rule with its compiled scope. */
export interface Compiled<R extends Rule = Rule> {
  rule: R;
  matchDevice: (deviceId: string) => boolean;
  matchEvent?: (type: string) => boolean;
}

const ANY = '\u0000any';

export class RuleIndex {
  /** metric -> sensorType (or ANY) -> rules. */
  private readonly byMetric = new Map<string, Map<string, Compiled<ThresholdRule>[]>>();
  /** Exact event type -> rules; wildcard event rules are kept apart. */
  private readonly byEvent = new Map<string, Compiled<EventRule>[]>();
  private readonly wildcardEvents: Compiled<EventRule>[] = [];
  readonly staleness: Compiled<StalenessRule>[] = [];
  readonly byId = new Map<string, Rule>();
  /** Metrics some staleness rule watches (their last-seen times are tracked). */
  readonly watchedMetrics = new Set<string>();

  constructor(readonly rules: readonly Rule[]) {
    for (const rule of rules) {
      this.byId.set(rule.id, rule);
      if (!rule.enabled) continue;
      const matchDevice = compileWildcard(rule.deviceId);
      if (rule.kind === 'threshold') {
        let bucket = this.byMetric.get(rule.metric);
        if (!bucket) this.byMetric.set(rule.metric, (bucket = new Map()));
        const key = rule.sensorType ?? ANY;
        const list = bucket.get(key) ?? [];
        list.push({ rule, matchDevice });
        bucket.set(key, list);
      } else if (rule.kind === 'event') {
        const c: Compiled<EventRule> = { rule, matchDevice, matchEvent: compileWildcard(rule.eventType) };
        if (rule.eventType.includes('*')) this.wildcardEvents.push(c);
        else this.byEvent.set(rule.eventType, [...(this.byEvent.get(rule.eventType) ?? []), c]);
      } else {
        this.staleness.push({ rule, matchDevice });
        if (rule.metric) this.watchedMetrics.add(rule.metric);
      }
    }
  }

  /** Threshold rules that can match this metric of a reading from this sensor type and device. */
  thresholdRules(metric: string, sensorType: string, deviceId: string, out: Compiled<ThresholdRule>[]): void {
    const bucket = this.byMetric.get(metric);
    if (!bucket) return;
    for (const key of [sensorType, ANY]) {
      const list = bucket.get(key);
      if (!list) continue;
      for (const c of list) if (c.matchDevice(deviceId)) out.push(c);
    }
  }

  /** Event rules that can match this event type and device. */
  eventRules(eventType: string, deviceId: string, sensorType: string): Compiled<EventRule>[] {
    const out: Compiled<EventRule>[] = [];
    const ok = (c: Compiled<EventRule>): boolean => c.matchDevice(deviceId) && (c.rule.sensorType === undefined || c.rule.sensorType === sensorType);
    for (const c of this.byEvent.get(eventType) ?? []) if (ok(c)) out.push(c);
    for (const c of this.wildcardEvents) if (c.matchEvent!(eventType) && ok(c)) out.push(c);
    return out;
  }
}
