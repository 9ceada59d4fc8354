/**
 * Runs the classifier over a labelled set and scores it: activity accuracy on
 * windows that hold one label only, and falls found (an event within 3 s of a
 * true impact) against false ones. Shared by the test and bench/activity-bench.ts.
 */
import { ActivityClassifier, type Activity, type ClassifierOptions } from '../../nodes/common/activity-classifier';
import type { LabelledSample } from './labelled-set';

export interface Score {
  scored: number;
  correct: number;
  accuracy: number;
  /** confusion[truth][predicted] */
  confusion: Record<Activity, Record<Activity, number>>;
  impacts: number;
  fallsFound: number;
  falseFalls: number;
  knocks: number;
}

const KINDS: Activity[] = ['stationary', 'walking', 'running'];

export function score(set: LabelledSample[], options: Partial<ClassifierOptions> = {}): Score {
  const c = new ActivityClassifier(options);
  const windowMs = c.options.windowMs;
  const confusion = Object.fromEntries(KINDS.map((k) => [k, Object.fromEntries(KINDS.map((p) => [p, 0]))])) as Score['confusion'];
  const pureSince = new Map<string, { label?: Activity; since: number }>();
  const impacts = set.filter((s) => s.impact);
  const found = new Set<LabelledSample>();
  let scored = 0;
  let correct = 0;
  let falseFalls = 0;
  for (const s of set) {
    const r = c.add(s.deviceId, s);
    const run = pureSince.get(s.deviceId);
    if (!run || run.label !== s.label) pureSince.set(s.deviceId, { label: s.label, since: s.ts });
    const pure = pureSince.get(s.deviceId)!;
    if (s.label && r.activity && s.ts - pure.since >= windowMs) {
      scored++;
      confusion[s.label][r.activity]++;
      if (r.activity === s.label) correct++;
    }
    if (r.fall) {
      const hit = impacts.find((i) => i.deviceId === s.deviceId && Math.abs(i.ts - r.fall!.impactTs) <= 3000);
      if (hit) found.add(hit);
      else falseFalls++;
    }
  }
  return {
    scored,
    correct,
    accuracy: scored ? correct / scored : 0,
    confusion,
    impacts: impacts.length,
    fallsFound: found.size,
    falseFalls,
    knocks: set.filter((s) => s.knock).length,
  };
}
