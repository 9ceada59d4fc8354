/**
 * The event document of the surveillance seed's sensor_motion service, shared by
 * the simulator and the GPIO input:
 * `{"event_id":"evt-1737123456-abc123","device_id":"raspberry-1","source":"PIR",
 *   "type":"MOTION_DETECTED","data":{"gpio_pin":17,"state":"HIGH"},
 *   "timestamp":"2025-01-15T14:30:45.123456"}`
 */
import { token, type Rng } from './sim/rng';

export type EventType = 'MOTION_DETECTED' | 'BUTTON_PRESSED' | 'PRESSURE_DETECTED';
export const EVENT_TYPES: readonly EventType[] = ['MOTION_DETECTED', 'BUTTON_PRESSED', 'PRESSURE_DETECTED'];

/** What the seed's services publish per event type: topic, `source` and the usual BCM pin. */
export const EVENT_KINDS: Record<EventType, { topic: string; sensorType: string; source: string; gpioPin: number }> = {
  MOTION_DETECTED: { topic: 'sensor/motion', sensorType: 'motion', source: 'PIR', gpioPin: 17 },
  BUTTON_PRESSED: { topic: 'sensor/button', sensorType: 'button', source: 'BUTTON', gpioPin: 27 },
  PRESSURE_DETECTED: { topic: 'sensor/pressure', sensorType: 'pressure', source: 'PRESSURE_MAT', gpioPin: 22 },
};

export interface DeviceEvent {
  event_id: string;
  device_id: string;
  source: string;
  type: EventType;
  data: { gpio_pin: number; state: 'HIGH' | 'LOW' };
  timestamp: string;
}

const p2 = (n: number): string => String(n).padStart(2, '0');

/**
 * Python's `datetime.now().isoformat()`: local wall-clock time, no zone,
 * microseconds (`2025-01-15T14:30:45.123456`). `micros` (0-999) fills the digits
 * below the millisecond.
 */
export function localIsoMicros(now: number, micros = 0): string {
  const d = new Date(now);
  const frac = String(d.getMilliseconds() * 1000 + (Math.floor(micros) % 1000)).padStart(6, '0');
  return `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}T${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.${frac}`;
}

/** `evt-<unix seconds>-<6 lower-case alphanumerics>`. */
export function eventId(now: number, rng: Rng): string {
  return `evt-${Math.floor(now / 1000)}-${token(rng, 6)}`;
}

export interface EventInput {
  deviceId: string;
  type: EventType;
  /** Defaults to the seed's source for the type. */
  source?: string;
  gpioPin?: number;
  state?: 'HIGH' | 'LOW';
}

export function buildEvent(input: EventInput, now: number, rng: Rng): DeviceEvent {
  const kind = EVENT_KINDS[input.type];
  return {
    event_id: eventId(now, rng),
    device_id: input.deviceId,
    source: input.source || kind.source,
    type: input.type,
    data: { gpio_pin: input.gpioPin ?? kind.gpioPin, state: input.state || 'HIGH' },
    timestamp: localIsoMicros(now, rng.next() * 1000),
  };
}
