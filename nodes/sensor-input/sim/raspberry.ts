/**
 * The Raspberry Pi seed's sensor-publisher on `sensors/{device}/motion`
 * (`{"confidence":0.95,"location":"entrance"}`) and `sensors/{device}/button`
 * (a pressure mat: `{"pressure":"high","duration_ms":500}`), at random moments.
 */
import { intBetween, pick, round, uniform, weighted, type Rng } from './rng';
import type { Payload, Profile } from './profile';

export const LOCATIONS = ['entrance', 'living', 'kitchen', 'hallway', 'bedroom', 'garage'] as const;

export interface RaspberryState {
  deviceId: string;
  location: string;
}

export const raspberry: Profile<RaspberryState> = {
  timing: 'event',
  // `raspberry-01` as in the seed; the leading 0 keeps ids apart from the surveillance profile's `raspberry-1`.
  defaultId: (i) => `raspberry-0${i}`,
  init: (deviceId, _now, rng) => ({ deviceId, location: pick(rng, LOCATIONS) }),
  next(s, _now, rng) {
    if (rng.next() < 0.7) {
      return {
        topic: `sensors/${s.deviceId}/motion`,
        payload: { confidence: round(uniform(rng, 0.8, 0.99), 2), location: s.location },
      };
    }
    return {
      topic: `sensors/${s.deviceId}/button`,
      payload: {
        pressure: weighted(rng, { low: 0.2, medium: 0.3, high: 0.5 }),
        duration_ms: intBetween(rng, 10, 300) * 10,
      },
    };
  },
  spike(payload: Payload, rng: Rng): Payload {
    if ('confidence' in payload) return { ...payload, confidence: pick(rng, [7.5, -1]) };
    return { ...payload, duration_ms: -500 };
  },
};
