/**
 * From accelerometer Readings to activity Readings: the glue between the
 * message contract and the pure classifier (../common/activity-classifier.ts).
 * Per device, an activity Reading is emitted when the activity changes and at
 * least every `emitSeconds`; a fall gives a Reading with a `fall` event.
 * No node-red import: unit-tested directly.
 */
import { ValidationError } from '../common/errors';
import { ActivityClassifier, DEFAULTS as CLASSIFIER, type Activity, type ClassifierOptions } from '../common/activity-classifier';
import type { Reading } from '../common/types';
import type { ActivityConfig } from './config';

/** `metrics.activity` codes, in the order of effort. */
export const ACTIVITY_CODES: Record<Activity, number> = { stationary: 0, walking: 1, running: 2 };

interface Emitted {
  activity?: Activity;
  at: number;
  lastTs: number;
}

export interface DeriveCounts {
  samples: number;
  skipped: number;
  outOfOrder: number;
  emitted: number;
  falls: number;
}

export class ActivityDeriver {
  private readonly classifier: ActivityClassifier;
  private readonly types: Set<string>;
  private readonly last = new Map<string, Emitted>();
  readonly counts: DeriveCounts = { samples: 0, skipped: 0, outOfOrder: 0, emitted: 0, falls: 0 };

  constructor(readonly cfg: ActivityConfig) {
    const opts = Object.fromEntries(Object.keys(CLASSIFIER).map((k) => [k, cfg[k as keyof ClassifierOptions]])) as Partial<ClassifierOptions>;
    this.classifier = new ActivityClassifier(opts);
    this.types = new Set(cfg.sensorTypes);
  }

  /** Devices followed. */
  get devices(): number {
    return this.last.size;
  }

  /** Devices forgotten because of maxDevices. */
  get dropped(): number {
    return this.classifier.dropped;
  }

  /**
   * The activity / fall Readings that one Reading gives (often none).
   * Readings of other sensor types are skipped; an accelerometer Reading without
   * finite x, y and z is a ValidationError.
   */
  push(r: Reading, now = Date.now()): Reading[] {
    const m = r.metrics;
    const typed = this.types.size > 0;
    if (typed ? !this.types.has(r.sensorType) : !(m && 'x' in m && 'y' in m && 'z' in m)) {
      this.counts.skipped++;
      return [];
    }
    if (![m.x, m.y, m.z].every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new ValidationError(`accelerometer Reading of ${r.deviceId} needs finite metrics x, y and z (m/s²)`, 'payload.metrics');
    }
    if (typeof r.ts !== 'number' || !Number.isFinite(r.ts)) throw new ValidationError(`Reading of ${r.deviceId} needs a finite ts`, 'payload.ts');
    let e = this.last.get(r.deviceId);
    if (e && r.ts <= e.lastTs) {
      // A redelivery or a late sample: the window only moves forward.
      this.counts.outOfOrder++;
      return [];
    }
    if (!e) {
      if (this.last.size >= this.cfg.maxDevices) this.last.delete(this.last.keys().next().value as string);
      e = { at: -Infinity, lastTs: r.ts };
      this.last.set(r.deviceId, e);
    }
    e.lastTs = r.ts;
    this.counts.samples++;
    const c = this.classifier.add(r.deviceId, { ts: r.ts, x: m.x, y: m.y, z: m.z });
    const out: Reading[] = [];
    const base = (): Reading => ({ deviceId: r.deviceId, sensorType: this.cfg.outputType, ts: r.ts, metrics: {}, received: now });
    if (c.activity !== undefined) {
      const due = this.cfg.emitSeconds > 0 && r.ts - e.at >= this.cfg.emitSeconds * 1000;
      if (c.activity !== e.activity || due) {
        e.activity = c.activity;
        e.at = r.ts;
        const a = base();
        a.metrics = { activity: ACTIVITY_CODES[c.activity], movement: Math.round((c.std ?? 0) * 1000) / 1000 };
        a.units = { movement: 'm/s²' };
        a.tags = { activity_name: c.activity };
        out.push(a);
      }
    }
    if (c.fall) {
      const f = base();
      f.metrics = { fall: 1, peak_g: c.fall.peakG, tilt_deg: c.fall.tiltDeg };
      f.units = { peak_g: 'g', tilt_deg: '°' };
      f.event = {
        id: `fall-${r.deviceId}-${c.fall.impactTs}`,
        type: 'fall',
        data: { impactTs: c.fall.impactTs, peakG: c.fall.peakG, tiltDeg: c.fall.tiltDeg },
      };
      out.push(f);
      this.counts.falls++;
    }
    this.counts.emitted += out.length;
    return out;
  }
}
