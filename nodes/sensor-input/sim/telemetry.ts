/**
 * Platform devices of the IoT-platform seed on `devices/{id}/telemetry`:
 * `{device_id, timestamp, metrics:[{name, value, unit}]}`, with a UUID device id
 * that stays the same across restarts.
 */
import { createHash } from 'crypto';
import { clamp, gauss, pick, round, uniform, type Rng } from './rng';
import type { Payload, Profile } from './profile';

/** A stable v4-shaped UUID for the n-th simulated platform device. */
export function deviceUuid(index: number): string {
  const h = createHash('sha1').update(`iot-flow-engine/telemetry/${index}`).digest('hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface TelemetryState {
  deviceId: string;
  temperature: number;
  humidity: number;
  co2: number;
}

export const telemetry: Profile<TelemetryState> = {
  timing: 'periodic',
  defaultId: deviceUuid,
  init: (deviceId, _now, rng) => ({
    deviceId,
    temperature: uniform(rng, 20, 24),
    humidity: uniform(rng, 45, 60),
    co2: uniform(rng, 450, 800),
  }),
  next(s, now, rng) {
    s.temperature = clamp(s.temperature + gauss(rng, 0.05) + (22 - s.temperature) * 0.01, 17, 28);
    s.humidity = clamp(s.humidity + gauss(rng, 0.3) + (55 - s.humidity) * 0.01, 30, 80);
    s.co2 = clamp(s.co2 + gauss(rng, 15) + (650 - s.co2) * 0.02, 400, 2000);
    return {
      topic: `devices/${s.deviceId}/telemetry`,
      payload: {
        device_id: s.deviceId,
        timestamp: new Date(now).toISOString(),
        metrics: [
          { name: 'temperature', value: round(s.temperature, 2), unit: '°C' },
          { name: 'humidity', value: round(s.humidity, 1), unit: '%' },
          { name: 'co2', value: Math.round(s.co2), unit: 'ppm' },
        ],
      },
    };
  },
  spike(payload: Payload, rng: Rng): Payload {
    const metrics = (payload.metrics as Array<{ name: string; value: number; unit: string }>).map((m) => ({ ...m }));
    const m = pick(rng, metrics);
    m.value = m.name === 'temperature' ? 999.9 : m.name === 'humidity' ? -20 : 65535;
    return { ...payload, metrics };
  },
};
