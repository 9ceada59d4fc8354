/**
 * Raspberry Pi GPIO events of the surveillance seed on `sensor/motion`,
 * `sensor/button` and `sensor/pressure` (PIR, button, pressure mat), each with an
 * event id, at random moments.
 */
import { weighted } from './rng';
import type { Profile } from './profile';
import { buildEvent, EVENT_KINDS, type EventType } from '../event-shape';

export interface SurveillanceState {
  deviceId: string;
}

const MIX: Record<EventType, number> = { MOTION_DETECTED: 0.7, BUTTON_PRESSED: 0.15, PRESSURE_DETECTED: 0.15 };

export const surveillance: Profile<SurveillanceState> = {
  timing: 'event',
  defaultId: (i) => `raspberry-${i}`,
  init: (deviceId) => ({ deviceId }),
  next(s, now, rng) {
    const type = weighted(rng, MIX);
    return {
      topic: EVENT_KINDS[type].topic,
      payload: buildEvent({ deviceId: s.deviceId, type }, now, rng) as unknown as Record<string, unknown>,
    };
  },
};
