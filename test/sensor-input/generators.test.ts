/**
 * The pure device generators: every payload's shape and ranges over long runs,
 * and the behaviour that makes them realistic (daily cycle, anti-correlated
 * humidity, random-walk pressure, draining battery, persistent activity phases,
 * millis() timestamps).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { environmental, dailyTemperature } from '../../nodes/sensor-input/sim/environmental';
import { activity, PHASE_SECONDS, type ActivityPhase } from '../../nodes/sensor-input/sim/activity';
import { esp32, MILLIS_WRAP } from '../../nodes/sensor-input/sim/esp32';
import { surveillance } from '../../nodes/sensor-input/sim/surveillance';
import { raspberry, LOCATIONS } from '../../nodes/sensor-input/sim/raspberry';
import { telemetry, deviceUuid } from '../../nodes/sensor-input/sim/telemetry';
import { seededRng } from '../../nodes/sensor-input/sim/rng';
import { localIsoMicros } from '../../nodes/sensor-input/event-shape';

const T0 = new Date(2025, 5, 25, 0, 0, 0).getTime(); // local midnight
const ISO_Z = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const LOCAL_MICROS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/;

/** Runs a generator every `stepMs` for `count` steps and returns the payloads. */
function run<S>(
  p: { init(id: string, now: number, rng: any): S; next(s: S, now: number, rng: any): { topic: string; payload: any } },
  id: string,
  count: number,
  stepMs: number,
  seed = 7,
) {
  const rng = seededRng(seed);
  const state = p.init(id, T0, rng);
  const out: Array<{ topic: string; payload: any; now: number }> = [];
  for (let i = 1; i <= count; i++) {
    const now = T0 + i * stepMs;
    out.push({ ...p.next(state, now, rng), now });
  }
  return { out, state };
}

const keys = (o: object): string[] => Object.keys(o).sort();

test('environmental: seed shape, ranges over two days, timestamp is the clock', () => {
  const { out } = run(environmental, 'ruuvi_001', 2 * 24 * 60, 60_000);
  for (const { topic, payload, now } of out) {
    assert.equal(topic, 'lifecompanion/sensors/ruuvi_001/environmental');
    assert.deepEqual(keys(payload), ['battery', 'device_id', 'humidity', 'pressure', 'temperature', 'timestamp']);
    assert.equal(payload.device_id, 'ruuvi_001');
    assert.match(payload.timestamp, ISO_Z);
    assert.equal(Date.parse(payload.timestamp), now);
    assert.ok(payload.temperature >= 18 && payload.temperature <= 25, `temperature ${payload.temperature}`);
    assert.ok(payload.humidity >= 40 && payload.humidity <= 70, `humidity ${payload.humidity}`);
    assert.ok(payload.pressure >= 1010 && payload.pressure <= 1020, `pressure ${payload.pressure}`);
    assert.ok(Number.isInteger(payload.battery) && payload.battery >= 0 && payload.battery <= 100);
    assert.equal(payload.temperature, Math.round(payload.temperature * 100) / 100);
  }
});

test('environmental: warmest in the afternoon, coolest at night, humidity moves the other way', () => {
  const { out } = run(environmental, 'ruuvi_001', 24 * 60, 60_000, 3);
  const at = (h: number) => out.filter((r) => new Date(r.now).getHours() === h);
  const mean = (rows: typeof out, k: string) => rows.reduce((s, r) => s + r.payload[k], 0) / rows.length;
  assert.ok(mean(at(15), 'temperature') > mean(at(3), 'temperature') + 4, 'afternoon at least 4 °C warmer than 03:00');
  assert.ok(mean(at(15), 'humidity') < mean(at(3), 'humidity') - 10, 'afternoon drier than night');
  assert.ok(dailyTemperature(new Date(2025, 0, 1, 15).getTime()) > 24);
  assert.ok(dailyTemperature(new Date(2025, 0, 1, 3).getTime()) < 19);
  // Anti-correlation over the whole day.
  const t = out.map((r) => r.payload.temperature);
  const h = out.map((r) => r.payload.humidity);
  const mt = t.reduce((a, b) => a + b) / t.length;
  const mh = h.reduce((a, b) => a + b) / h.length;
  const cov = t.reduce((s, v, i) => s + (v - mt) * (h[i] - mh), 0);
  const corr = cov / Math.sqrt(t.reduce((s, v) => s + (v - mt) ** 2, 0) * h.reduce((s, v) => s + (v - mh) ** 2, 0));
  assert.ok(corr < -0.8, `correlation ${corr}`);
});

test('environmental: pressure walks in small steps and the battery only drains (until replaced)', () => {
  const { out } = run(environmental, 'ruuvi_002', 2000, 5000, 11);
  const p = out.map((r) => r.payload.pressure);
  const maxStep = Math.max(...p.slice(1).map((v, i) => Math.abs(v - p[i])));
  assert.ok(maxStep < 0.5, `largest 5 s pressure step ${maxStep} hPa`);
  assert.ok(new Set(p).size > 100, 'pressure moves');
  const b = out.map((r) => r.payload.battery);
  for (let i = 1; i < b.length; i++) assert.ok(b[i] <= b[i - 1] || b[i] === 100, `battery rose ${b[i - 1]} -> ${b[i]}`);
  const rng = seededRng(1);
  const s = environmental.init('x', T0, rng);
  const before = s.battery;
  environmental.next(s, T0 + 10 * 3_600_000, rng);
  assert.ok(s.battery < before - 1, 'ten hours drain more than 1 %');
});

test('activity: shape, phases persist for minutes, magnitudes differ by phase', () => {
  const { out } = run(activity, 'accel_001', 4 * 3600, 1000, 5);
  const phases = new Map<ActivityPhase, number[]>();
  let changes = 0;
  let runStart = 0;
  const runs: Array<[ActivityPhase, number]> = [];
  out.forEach((r, i) => {
    assert.equal(r.topic, 'lifecompanion/sensors/accel_001/activity');
    assert.deepEqual(keys(r.payload), ['activity_hint', 'device_id', 'timestamp', 'x', 'y', 'z']);
    assert.match(r.payload.timestamp, ISO_Z);
    const mag = Math.hypot(r.payload.x, r.payload.y, r.payload.z);
    assert.ok(mag > 3 && mag < 20, `magnitude ${mag}`);
    const list = phases.get(r.payload.activity_hint) || [];
    list.push(r.payload.z);
    phases.set(r.payload.activity_hint, list);
    if (i > 0 && r.payload.activity_hint !== out[i - 1].payload.activity_hint) {
      changes++;
      runs.push([out[i - 1].payload.activity_hint, i - runStart]);
      runStart = i;
    }
  });
  assert.deepEqual([...phases.keys()].sort(), ['stationary', 'transport', 'walking']);
  assert.ok(changes >= 10 && changes < (4 * 3600) / 30, `${changes} phase changes in 4 h`);
  for (const [phase, seconds] of runs) assert.ok(seconds >= PHASE_SECONDS[phase][0] - 1, `${phase} lasted ${seconds} s`);
  const sd = (v: number[]) => {
    const m = v.reduce((a, b) => a + b) / v.length;
    return Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / v.length);
  };
  const still = sd(phases.get('stationary')!);
  const walk = sd(phases.get('walking')!);
  const ride = sd(phases.get('transport')!);
  assert.ok(still < 0.1, `stationary z sd ${still}`);
  assert.ok(walk > 1.5, `walking z sd ${walk}`);
  assert.ok(ride > 0.2 && ride < walk, `transport z sd ${ride}`);
});

test('esp32: seed document, millis() since boot, ranges, reboot restarts the counter', () => {
  const { out, state } = run(esp32, 'ESP32_001', 2000, 5000, 9);
  let prev = -1;
  for (const { topic, payload, now } of out) {
    assert.equal(topic, 'sensors/esp32/ESP32_001/data');
    assert.deepEqual(keys(payload), ['ambient_temp', 'device_id', 'heart_rate', 'object_temp', 'sensor_type', 'spo2', 'timestamp']);
    assert.equal(payload.sensor_type, 'MAX30614');
    assert.ok(Number.isInteger(payload.timestamp) && payload.timestamp > prev && payload.timestamp < MILLIS_WRAP);
    assert.equal(payload.timestamp, Math.floor(now - state.bootAt));
    prev = payload.timestamp;
    assert.ok(payload.object_temp >= 35.5 && payload.object_temp <= 38);
    assert.ok(payload.ambient_temp >= 18 && payload.ambient_temp <= 28);
    assert.ok(Number.isInteger(payload.heart_rate) && payload.heart_rate >= 50 && payload.heart_rate <= 120);
    assert.ok(Number.isInteger(payload.spo2) && payload.spo2 >= 94 && payload.spo2 <= 100);
  }
  const rng = seededRng(2);
  const now = T0 + 1e9;
  esp32.reboot!(state, now, rng);
  const after = esp32.next(state, now + 100, rng).payload.timestamp as number;
  assert.ok(after >= 900 && after <= 3100, `millis after reboot ${after}`);
});

test('surveillance events: the sensor_motion document, topics per type, unique ids', () => {
  const { out } = run(surveillance, 'raspberry-1', 500, 3000, 4);
  const topics: Record<string, string> = { MOTION_DETECTED: 'sensor/motion', BUTTON_PRESSED: 'sensor/button', PRESSURE_DETECTED: 'sensor/pressure' };
  const ids = new Set<string>();
  const types = new Set<string>();
  for (const { topic, payload, now } of out) {
    assert.deepEqual(keys(payload), ['data', 'device_id', 'event_id', 'source', 'timestamp', 'type']);
    assert.equal(topic, topics[payload.type]);
    assert.equal(payload.device_id, 'raspberry-1');
    assert.match(payload.event_id, new RegExp(`^evt-${Math.floor(now / 1000)}-[a-z0-9]{6}$`));
    assert.deepEqual(keys(payload.data), ['gpio_pin', 'state']);
    assert.equal(payload.data.state, 'HIGH');
    assert.match(payload.timestamp, LOCAL_MICROS);
    assert.equal(new Date(payload.timestamp).getTime(), now); // no zone: parsed as local time
    if (payload.type === 'MOTION_DETECTED') assert.deepEqual([payload.source, payload.data.gpio_pin], ['PIR', 17]);
    ids.add(payload.event_id);
    types.add(payload.type);
  }
  assert.equal(ids.size, out.length);
  assert.equal(types.size, 3);
  assert.equal(out.filter((r) => r.payload.type === 'MOTION_DETECTED').length > out.length / 2, true);
});

test('localIsoMicros prints Python isoformat() digits', () => {
  const t = new Date(2025, 0, 15, 14, 30, 45, 123).getTime();
  assert.equal(localIsoMicros(t, 456), '2025-01-15T14:30:45.123456');
  assert.equal(localIsoMicros(new Date(2025, 0, 5, 4, 3, 2, 1).getTime()), '2025-01-05T04:03:02.001000');
});

test('raspberry seed: motion {confidence, location} and button {pressure, duration_ms}', () => {
  const { out, state } = run(raspberry, 'raspberry-01', 400, 3000, 8);
  assert.ok((LOCATIONS as readonly string[]).includes(state.location));
  let motion = 0;
  for (const { topic, payload } of out) {
    if (topic === 'sensors/raspberry-01/motion') {
      motion++;
      assert.deepEqual(keys(payload), ['confidence', 'location']);
      assert.ok(payload.confidence >= 0.8 && payload.confidence <= 0.99);
      assert.equal(payload.location, state.location);
    } else {
      assert.equal(topic, 'sensors/raspberry-01/button');
      assert.deepEqual(keys(payload), ['duration_ms', 'pressure']);
      assert.ok(['low', 'medium', 'high'].includes(payload.pressure));
      assert.ok(Number.isInteger(payload.duration_ms) && payload.duration_ms >= 100 && payload.duration_ms <= 3000);
    }
  }
  assert.ok(motion > 200 && motion < 360, `${motion} motion of 400`);
  assert.equal(raspberry.defaultId(1), 'raspberry-01');
  assert.equal(raspberry.defaultId(12), 'raspberry-012');
});

test('telemetry: metrics array with units under a stable UUID', () => {
  const id = deviceUuid(1);
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(deviceUuid(1), id);
  assert.notEqual(deviceUuid(2), id);
  const { out } = run(telemetry, id, 1000, 5000, 6);
  for (const { topic, payload } of out) {
    assert.equal(topic, `devices/${id}/telemetry`);
    assert.deepEqual(keys(payload), ['device_id', 'metrics', 'timestamp']);
    assert.match(payload.timestamp, ISO_Z);
    assert.deepEqual(
      payload.metrics.map((m: any) => [m.name, m.unit]),
      [
        ['temperature', '°C'],
        ['humidity', '%'],
        ['co2', 'ppm'],
      ],
    );
    const [t, h, c] = payload.metrics.map((m: any) => m.value);
    assert.ok(t >= 17 && t <= 28 && h >= 30 && h <= 80 && c >= 400 && c <= 2000, `${t} ${h} ${c}`);
  }
});

test('spikes put exactly one value out of its physical range', () => {
  const rng = seededRng(12);
  const cases = [
    {
      p: environmental,
      ok: (k: string, v: number) =>
        k === 'temperature'
          ? v >= 18 && v <= 25
          : k === 'humidity'
            ? v >= 40 && v <= 70
            : k === 'pressure'
              ? v >= 1010 && v <= 1020
              : k === 'battery'
                ? v >= 0 && v <= 100
                : true,
    },
    {
      p: esp32,
      ok: (k: string, v: number) =>
        k === 'object_temp' ? v < 45 : k === 'ambient_temp' ? v > -50 : k === 'heart_rate' ? v > 30 && v < 220 : k === 'spo2' ? v >= 50 && v <= 100 : true,
    },
    { p: activity, ok: (k: string, v: number) => (['x', 'y', 'z'].includes(k) ? Math.abs(v) < 100 : true) },
  ];
  for (const { p, ok } of cases) {
    for (let i = 0; i < 30; i++) {
      const s = p.init('d', T0, rng);
      const normal = (p as any).next(s, T0 + 1000, rng).payload;
      const bad = p.spike!(normal, rng);
      const broken = Object.keys(bad).filter((k) => typeof bad[k] === 'number' && !ok(k, bad[k] as number));
      assert.equal(broken.length, 1, JSON.stringify(bad));
      assert.equal(Object.keys(bad).filter((k) => bad[k] !== normal[k]).length, 1);
    }
  }
  const t = telemetry.next(telemetry.init('u', T0, rng), T0, rng).payload;
  const spiked = telemetry.spike!(t, rng) as any;
  assert.equal(spiked.metrics.filter((m: any, i: number) => m.value !== (t.metrics as any)[i].value).length, 1);
  assert.ok(spiked.metrics.some((m: any) => [999.9, -20, 65535].includes(m.value)));
});
