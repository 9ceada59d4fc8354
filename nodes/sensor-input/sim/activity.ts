/**
 * Wearable accelerometer (LifeCompanion seed) on `lifecompanion/sensors/{id}/activity`:
 * m/s² on three axes with an `activity_hint`. The wearer goes through phases that
 * last minutes (stationary, walking, transport), each with its own signal.
 */
import { clamp, gauss, pick, round, uniform, weighted, type Rng } from './rng';
import { pad3, type Payload, type Profile } from './profile';

export type ActivityPhase = 'stationary' | 'walking' | 'transport';

export const G = 9.81;

/** Phase length in seconds, [min, max]. */
export const PHASE_SECONDS: Record<ActivityPhase, [number, number]> = {
  stationary: [60, 600],
  walking: [30, 300],
  transport: [120, 900],
};

const TRANSITIONS: Record<ActivityPhase, Record<ActivityPhase, number>> = {
  stationary: { stationary: 0, walking: 0.8, transport: 0.2 },
  walking: { stationary: 0.6, walking: 0, transport: 0.4 },
  transport: { stationary: 0.1, walking: 0.9, transport: 0 },
};

export interface ActivityState {
  deviceId: string;
  phase: ActivityPhase;
  phaseUntil: number;
  /** Gravity seen on x/y because of how the device is worn. */
  tiltX: number;
  tiltY: number;
  /** Steps per second while walking. */
  cadence: number;
  /** Slow acceleration/braking component while in a vehicle, m/s². */
  surge: number;
}

function phaseLength(phase: ActivityPhase, rng: Rng): number {
  const [min, max] = PHASE_SECONDS[phase];
  return uniform(rng, min, max) * 1000;
}

export const activity: Profile<ActivityState> = {
  timing: 'periodic',
  defaultId: (i) => `accel_${pad3(i)}`,
  init(deviceId, now, rng) {
    const phase = weighted<ActivityPhase>(rng, { stationary: 0.6, walking: 0.25, transport: 0.15 });
    return {
      deviceId,
      phase,
      phaseUntil: now + phaseLength(phase, rng),
      tiltX: gauss(rng, 0.15),
      tiltY: gauss(rng, 0.15),
      cadence: uniform(rng, 1.6, 2.0),
      surge: 0,
    };
  },
  next(s, now, rng) {
    if (now >= s.phaseUntil) {
      s.phase = weighted(rng, TRANSITIONS[s.phase]);
      s.phaseUntil = now + phaseLength(s.phase, rng);
      s.surge = 0;
    }
    const gz = Math.sqrt(G * G - s.tiltX * s.tiltX - s.tiltY * s.tiltY);
    let x: number;
    let y: number;
    let z: number;
    if (s.phase === 'stationary') {
      x = s.tiltX + gauss(rng, 0.02);
      y = s.tiltY + gauss(rng, 0.02);
      z = gz + gauss(rng, 0.02);
    } else if (s.phase === 'walking') {
      // Sampled at a random point of the gait cycle: vertical bounce, lateral sway.
      const cycle = (2 * Math.PI * s.cadence * now) / 1000;
      x = s.tiltX + 1.2 * Math.sin(cycle / 2) + gauss(rng, 0.3);
      y = s.tiltY + 0.8 * Math.cos(cycle) + gauss(rng, 0.3);
      z = gz + 2.8 * Math.sin(cycle) + gauss(rng, 0.4);
    } else {
      s.surge = clamp(s.surge * 0.8 + gauss(rng, 0.5), -2, 2);
      x = s.tiltX + s.surge + gauss(rng, 0.25);
      y = s.tiltY + gauss(rng, 0.25);
      z = gz + gauss(rng, 0.35);
    }
    return {
      topic: `lifecompanion/sensors/${s.deviceId}/activity`,
      payload: {
        device_id: s.deviceId,
        timestamp: new Date(now).toISOString(),
        x: round(x, 2),
        y: round(y, 2),
        z: round(z, 2),
        activity_hint: s.phase,
      },
    };
  },
  spike(payload: Payload, rng: Rng): Payload {
    // A knock saturates one axis at the ±16 g full scale.
    return { ...payload, [pick(rng, ['x', 'y', 'z'])]: pick(rng, [156.91, -156.91]) };
  },
};
