/**
 * Activity from a wearable accelerometer (the LifeCompanion seed's
 * `ActivityClassifier`): Readings with `x`, `y`, `z` in m/s², per device,
 * over a sliding time window.
 *
 * Activity: the standard deviation of the acceleration magnitude over the
 * last `windowMs` (default 10 s, at least `minSamples` samples; samples above
 * `fallG` are left out, they are impacts):
 *   below `walkStd` (1.0 m/s²)      stationary (also sitting in a vehicle: no own movement)
 *   below `runStd` (4.5 m/s²)       walking    (gait bounce about ±3 m/s², std about 2)
 *   from `runStd`                   running    (bounce of 1-2 g, std 5 and more)
 * Fall: an impact above `fallG` g (default 2.5) followed, after `settleMs`
 * (1 s), by `stillMs` (4 s, at least 2 samples) of stillness (magnitude std
 * below `stillStd`, 0.8 m/s²) in an orientation at least `tiltDeg` (45°) away
 * from the one before the impact: lying after standing. A knock on a device
 * lying on a table (same orientation after) is not a fall.
 * Pure: no Node-RED import; the state per device is bounded by `maxDevices`.
 */

export type Activity = 'stationary' | 'walking' | 'running';

export interface ClassifierOptions {
  windowMs: number;
  minSamples: number;
  walkStd: number;
  runStd: number;
  fallG: number;
  settleMs: number;
  stillMs: number;
  stillStd: number;
  tiltDeg: number;
  maxDevices: number;
}

export const DEFAULTS: ClassifierOptions = {
  windowMs: 10_000,
  minSamples: 5,
  walkStd: 1.0,
  runStd: 4.5,
  fallG: 2.5,
  settleMs: 1000,
  stillMs: 4000,
  stillStd: 0.8,
  tiltDeg: 45,
  maxDevices: 10_000,
};

export const G = 9.80665;

export interface Sample {
  ts: number;
  x: number;
  y: number;
  z: number;
}

export interface Classification {
  /** Undefined until the window holds `minSamples`. */
  activity?: Activity;
  /** Std of the magnitude over the window, m/s². */
  std?: number;
  /** Set once per detected fall, on the sample that confirms it. */
  fall?: { impactTs: number; peakG: number; tiltDeg: number };
}

interface PendingFall {
  impactTs: number;
  peak: number;
  before: [number, number, number];
}
interface DeviceState {
  samples: Sample[];
  pending?: PendingFall;
}

const mag = (s: Sample): number => Math.sqrt(s.x * s.x + s.y * s.y + s.z * s.z);

function std(values: number[]): number {
  if (values.length < 2) return 0;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, v) => a + (v - mean) * (v - mean), 0) / (values.length - 1));
}

function meanVector(samples: Sample[]): [number, number, number] {
  const n = samples.length || 1;
  return [samples.reduce((a, s) => a + s.x, 0) / n, samples.reduce((a, s) => a + s.y, 0) / n, samples.reduce((a, s) => a + s.z, 0) / n];
}

function angleDeg(a: [number, number, number], b: [number, number, number]): number {
  const dot = a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
  const n = Math.hypot(...a) * Math.hypot(...b);
  return n === 0 ? 0 : (Math.acos(Math.max(-1, Math.min(1, dot / n))) * 180) / Math.PI;
}

/** Checks the options; throws naming the bad one. */
export function parseOptions(o: Partial<ClassifierOptions> = {}): ClassifierOptions {
  const out = { ...DEFAULTS, ...o };
  for (const [k, v] of Object.entries(out))
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new Error(`${k} must be a positive number, got ${String(v)}`);
  if (out.runStd <= out.walkStd) throw new Error('runStd must be above walkStd');
  return out;
}

export class ActivityClassifier {
  readonly options: ClassifierOptions;
  private readonly devices = new Map<string, DeviceState>();
  /** Devices forgotten because of maxDevices. */
  dropped = 0;

  constructor(options: Partial<ClassifierOptions> = {}) {
    this.options = parseOptions(options);
  }

  /** Adds one sample (in time order per device) and classifies the window ending with it. */
  add(deviceId: string, s: Sample): Classification {
    const o = this.options;
    if (![s.ts, s.x, s.y, s.z].every(Number.isFinite)) throw new Error('a sample needs finite ts, x, y and z');
    let d = this.devices.get(deviceId);
    if (!d) {
      if (this.devices.size >= o.maxDevices) {
        this.devices.delete(this.devices.keys().next().value as string);
        this.dropped++;
      }
      d = { samples: [] };
      this.devices.set(deviceId, d);
    }
    const keepMs = Math.max(o.windowMs, o.settleMs + o.stillMs);
    const before = d.samples.filter((p) => p.ts > s.ts - o.windowMs);
    d.samples.push(s);
    while (d.samples.length && d.samples[0].ts <= s.ts - keepMs) d.samples.shift();

    const out: Classification = {};
    // Impacts (and a saturated axis from a knock) belong to the fall detector, not to the gait.
    const win = d.samples.filter((p) => p.ts > s.ts - o.windowMs && mag(p) < o.fallG * G);
    if (win.length >= o.minSamples) {
      out.std = std(win.map(mag));
      out.activity = out.std < o.walkStd ? 'stationary' : out.std < o.runStd ? 'walking' : 'running';
    }

    const m = mag(s);
    if (m >= o.fallG * G) {
      // The strongest impact of a burst counts; orientation from before it.
      if (!d.pending || s.ts - d.pending.impactTs > o.settleMs) d.pending = { impactTs: s.ts, peak: m, before: meanVector(before) };
      else if (m > d.pending.peak) d.pending.peak = m;
    } else if (d.pending) {
      const p = d.pending;
      const after = d.samples.filter((q) => q.ts >= p.impactTs + o.settleMs);
      const span = after.length ? after[after.length - 1].ts - after[0].ts : 0;
      const moving = after.length >= 2 && std(after.map(mag)) >= o.stillStd;
      if (moving || s.ts - p.impactTs > o.settleMs + o.stillMs * 2) d.pending = undefined;
      else if (after.length >= 2 && span >= o.stillMs - 1) {
        d.pending = undefined;
        const tilt = before.length ? angleDeg(p.before, meanVector(after)) : 0;
        if (tilt >= o.tiltDeg) out.fall = { impactTs: p.impactTs, peakG: Math.round((p.peak / G) * 100) / 100, tiltDeg: Math.round(tilt) };
      }
    }
    return out;
  }

  get size(): number {
    return this.devices.size;
  }
}
