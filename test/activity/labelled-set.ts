/**
 * A labelled accelerometer set for the activity classifier, reproducible from a
 * seed: the simulator's own activity phases (nodes/sensor-input/sim/activity.ts:
 * stationary, walking, transport; transport is labelled stationary, the wearer
 * sits), with its knock faults (a saturated axis), plus running bouts and
 * falls made the same way (the simulator has neither):
 * - running: 2.6-3.0 steps/s, vertical bounce 8-11 m/s², lateral 2-3 m/s²;
 * - fall: upright, a short free fall (0.2-0.5 g), an impact of 3-6 g, then
 *   lying still with gravity on a horizontal axis for 15 s.
 * Samples near an impact carry no activity label (not scored).
 */
import { activity, type ActivityState } from '../../nodes/sensor-input/sim/activity';
import { gauss, pick, seededRng, uniform, type Rng } from '../../nodes/sensor-input/sim/rng';
import { type Activity, type Sample } from '../../nodes/common/activity-classifier';

const G = 9.81;

export interface LabelledSample extends Sample {
  deviceId: string;
  label?: Activity;
  /** True on the impact sample of a fall. */
  impact?: boolean;
  /** A knock fault from the simulator (not a fall). */
  knock?: boolean;
}

export interface SetOptions {
  seed: number;
  devices: number;
  minutesPerDevice: number;
  intervalMs: number;
  runs: number;
  falls: number;
  knockRate: number;
}

export const SET_DEFAULTS: SetOptions = { seed: 42, devices: 6, minutesPerDevice: 40, intervalMs: 500, runs: 2, falls: 2, knockRate: 0.002 };

function running(rng: Rng, dev: string, t0: number, ms: number, interval: number, tilt: [number, number]): LabelledSample[] {
  const cadence = uniform(rng, 2.6, 3.0);
  const amp = uniform(rng, 8, 11);
  const lat = uniform(rng, 2, 3);
  const out: LabelledSample[] = [];
  for (let t = t0; t < t0 + ms; t += interval) {
    const c = (2 * Math.PI * cadence * t) / 1000 + gauss(rng, 0.3);
    const gz = Math.sqrt(G * G - tilt[0] ** 2 - tilt[1] ** 2);
    out.push({
      deviceId: dev,
      ts: t,
      x: tilt[0] + lat * Math.sin(c / 2) + gauss(rng, 0.6),
      y: tilt[1] + 0.6 * lat * Math.cos(c) + gauss(rng, 0.6),
      z: gz + amp * Math.sin(c) + gauss(rng, 0.7),
      label: 'running',
    });
  }
  return out;
}

function fall(rng: Rng, dev: string, t0: number, interval: number, tilt: [number, number]): LabelledSample[] {
  const out: LabelledSample[] = [];
  const gz = Math.sqrt(G * G - tilt[0] ** 2 - tilt[1] ** 2);
  let t = t0;
  for (; t < t0 + 10_000; t += interval)
    out.push({ deviceId: dev, ts: t, x: tilt[0] + gauss(rng, 0.03), y: tilt[1] + gauss(rng, 0.03), z: gz + gauss(rng, 0.03), label: 'stationary' });
  const ff = uniform(rng, 0.2, 0.5) * G;
  out.push({ deviceId: dev, ts: t, x: gauss(rng, 0.5), y: gauss(rng, 0.5), z: ff });
  t += interval;
  const peak = uniform(rng, 3, 6) * G;
  const dir = [gauss(rng, 1), gauss(rng, 1), gauss(rng, 1)];
  const n = Math.hypot(...dir);
  out.push({ deviceId: dev, ts: t, x: (peak * dir[0]) / n, y: (peak * dir[1]) / n, z: (peak * dir[2]) / n, impact: true });
  t += interval;
  const axis = pick(rng, ['x', 'y'] as const);
  const sign = pick(rng, [1, -1]);
  const lyingStart = t;
  for (; t < lyingStart + 15_000; t += interval) {
    const s: LabelledSample = { deviceId: dev, ts: t, x: gauss(rng, 0.05), y: gauss(rng, 0.05), z: 0.8 + gauss(rng, 0.05) };
    s[axis] += sign * G;
    // The window still holds the impact's neighbours for windowMs: label only once it is past.
    if (t >= lyingStart + 10_000) s.label = 'stationary';
    out.push(s);
  }
  return out;
}

/** The whole set, per device in time order. */
export function labelledSet(opts: Partial<SetOptions> = {}): LabelledSample[] {
  const o = { ...SET_DEFAULTS, ...opts };
  const rng = seededRng(o.seed);
  const out: LabelledSample[] = [];
  for (let i = 1; i <= o.devices; i++) {
    const dev = `accel_${String(i).padStart(3, '0')}`;
    let t = Date.UTC(2025, 5, 25, 10, 0, 0);
    const st: ActivityState = activity.init(dev, t, rng);
    const tilt: [number, number] = [st.tiltX, st.tiltY];
    const end = t + o.minutesPerDevice * 60_000;
    const extras = [...Array(o.runs).fill('run'), ...Array(o.falls).fill('fall')] as Array<'run' | 'fall'>;
    const slot = (end - t) / (extras.length + 1);
    let next = t + slot;
    let previous: Activity | undefined;
    while (t < end) {
      if (extras.length && t >= next) {
        const kind = extras.shift() as 'run' | 'fall';
        const part = kind === 'run' ? running(rng, dev, t, uniform(rng, 60_000, 180_000), o.intervalMs, tilt) : fall(rng, dev, t, o.intervalMs, tilt);
        out.push(...part);
        t = part[part.length - 1].ts + o.intervalMs;
        next += slot;
        previous = undefined;
        continue;
      }
      const msg = activity.next(st, t, rng);
      let p = msg.payload as { x: number; y: number; z: number; activity_hint: string };
      const label: Activity = st.phase === 'walking' ? 'walking' : 'stationary';
      const knock = rng.next() < o.knockRate && activity.spike;
      if (knock) p = activity.spike!(p, rng) as typeof p;
      out.push({
        deviceId: dev,
        ts: t,
        x: p.x,
        y: p.y,
        z: p.z,
        label: previous === undefined || previous === label ? label : undefined,
        knock: Boolean(knock),
      });
      previous = label;
      t += o.intervalMs;
    }
  }
  return out;
}
