/**
 * ESP32 with the MAX30614 board (MQTT cloud seed) on `sensors/esp32/{id}/data`:
 * infrared object and ambient temperature, heart rate, SpO2, and `timestamp` as
 * the firmware's millis(): milliseconds since boot, wrapping at 2^32.
 */
import { clamp, gauss, intBetween, pick, round, uniform, type Rng } from './rng';
import { pad3, type Payload, type Profile } from './profile';

export const MILLIS_WRAP = 2 ** 32;

export interface Esp32State {
  deviceId: string;
  bootAt: number;
  objectBase: number;
  objectTemp: number;
  ambientBase: number;
  ambientTemp: number;
  restingHr: number;
  hr: number;
  spo2: number;
}

export const esp32: Profile<Esp32State> = {
  timing: 'periodic',
  defaultId: (i) => `ESP32_${pad3(i)}`,
  init(deviceId, now, rng) {
    const objectBase = uniform(rng, 36.3, 36.9);
    const ambientBase = uniform(rng, 20, 25);
    const restingHr = uniform(rng, 58, 80);
    return {
      deviceId,
      // Powered up some time in the last three days.
      bootAt: now - uniform(rng, 10_000, 3 * 86_400_000),
      objectBase,
      objectTemp: objectBase,
      ambientBase,
      ambientTemp: ambientBase,
      restingHr,
      hr: restingHr,
      spo2: uniform(rng, 96.5, 99),
    };
  },
  next(s, now, rng) {
    s.objectTemp = clamp(s.objectTemp + gauss(rng, 0.03) + (s.objectBase - s.objectTemp) * 0.1, 35.5, 38);
    s.ambientTemp = clamp(s.ambientTemp + gauss(rng, 0.05) + (s.ambientBase - s.ambientTemp) * 0.05, 18, 28);
    s.hr = clamp(s.hr + gauss(rng, 1.5) + (s.restingHr - s.hr) * 0.1, 50, 120);
    s.spo2 = clamp(s.spo2 + gauss(rng, 0.3) + (98 - s.spo2) * 0.1, 94, 100);
    return {
      topic: `sensors/esp32/${s.deviceId}/data`,
      payload: {
        sensor_type: 'MAX30614',
        device_id: s.deviceId,
        object_temp: round(s.objectTemp, 2),
        ambient_temp: round(s.ambientTemp, 2),
        heart_rate: Math.round(s.hr),
        spo2: Math.round(s.spo2),
        timestamp: Math.floor(Math.max(0, now - s.bootAt)) % MILLIS_WRAP,
      },
    };
  },
  spike(payload: Payload, rng: Rng): Payload {
    // MLX90614 reads 1037.55 °C on a bus error; Maxim's SpO2 algorithm returns -999 when invalid.
    const faults: Array<[string, number]> = [
      ['object_temp', 1037.55],
      ['ambient_temp', -273.15],
      ['heart_rate', -999],
      ['spo2', -999],
      ['heart_rate', 255],
    ];
    const [key, value] = pick(rng, faults);
    return { ...payload, [key]: value };
  },
  reboot(s, now, rng) {
    s.bootAt = now - intBetween(rng, 800, 3000); // WiFi + MQTT connect before the first publish
  },
};
