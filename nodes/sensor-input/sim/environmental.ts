/**
 * Ruuvi environmental tag (LifeCompanion seed) on
 * `lifecompanion/sensors/{id}/environmental`: temperature 18-25 °C following the
 * wall-clock day, humidity 40-70 % moving against it, pressure as a random walk
 * around 1010-1020 hPa, and a battery that drains slowly.
 */
import { clamp, gauss, pick, round, uniform, type Rng } from './rng';
import { pad3, type Payload, type Profile } from './profile';

export interface EnvironmentalState {
  deviceId: string;
  /** Per-room offset of the daily curve, °C. */
  tempOffset: number;
  humidityOffset: number;
  /** hPa, random walk. */
  pressure: number;
  /** Percent, float; published rounded. */
  battery: number;
  /** Percent per hour. */
  drainPerHour: number;
  last: number;
}

/** Temperature of the daily cycle at a local wall-clock time: lowest at 03:00, highest at 15:00. */
export function dailyTemperature(now: number): number {
  const d = new Date(now);
  const hour = d.getHours() + d.getMinutes() / 60 + d.getSeconds() / 3600;
  return 21.5 + 3.1 * Math.sin((2 * Math.PI * (hour - 9)) / 24);
}

export const environmental: Profile<EnvironmentalState> = {
  timing: 'periodic',
  defaultId: (i) => `ruuvi_${pad3(i)}`,
  init(deviceId, now, rng) {
    return {
      deviceId,
      tempOffset: clamp(gauss(rng, 0.3), -0.4, 0.4),
      humidityOffset: gauss(rng, 2),
      pressure: uniform(rng, 1012, 1018),
      battery: uniform(rng, 60, 100),
      drainPerHour: uniform(rng, 0.2, 1),
      last: now,
    };
  },
  next(s, now, rng) {
    const hours = Math.max(0, now - s.last) / 3_600_000;
    s.last = now;
    const temperature = clamp(dailyTemperature(now) + s.tempOffset + gauss(rng, 0.12), 18, 25);
    const humidity = clamp(55 - (temperature - 21.5) * 3.5 + s.humidityOffset + gauss(rng, 0.8), 40, 70);
    // Mean-reverting walk; the step grows with the time since the last reading.
    const step = gauss(rng, 0.4 * Math.sqrt(Math.min(hours, 1) * 12)) + (1015 - s.pressure) * 0.02;
    s.pressure = clamp(s.pressure + step, 1010, 1020);
    s.battery -= s.drainPerHour * hours;
    if (s.battery < 1) s.battery = 100; // someone changed the coin cell
    return {
      topic: `lifecompanion/sensors/${s.deviceId}/environmental`,
      payload: {
        device_id: s.deviceId,
        timestamp: new Date(now).toISOString(),
        temperature: round(temperature, 2),
        humidity: round(humidity, 2),
        pressure: round(s.pressure, 2),
        battery: Math.round(s.battery),
      },
    };
  },
  spike(payload: Payload, rng: Rng): Payload {
    // Values real tags report when a sensor fails: 85 °C power-on reset, 0 % / 100+ % RH, 0 hPa.
    const faults: Array<[string, number]> = [
      ['temperature', 85],
      ['temperature', -40],
      ['humidity', 127.5],
      ['pressure', 0],
      ['battery', 255],
    ];
    const [key, value] = pick(rng, faults);
    return { ...payload, [key]: value };
  },
};
