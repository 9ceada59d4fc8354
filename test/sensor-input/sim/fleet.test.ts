/** The fleet scheduler (intervals, events, dropout, spikes, malformed rates), driven with a fake clock and a seeded Rng. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Fleet, type FleetMessage, type FleetOptions } from '../../../nodes/sensor-input/sim/fleet';
import { PROFILE_NAMES } from '../../../nodes/sensor-input/sim/profiles';
import { numericPaths } from '../../../nodes/sensor-input/sim/faults';
import { seededRng } from '../../../nodes/sensor-input/sim/rng';

const T0 = Date.UTC(2025, 5, 25, 10, 0, 0);
const NO_FAULTS = { dropout: 0, spike: 0, malformed: 0 };

function options(over: Partial<FleetOptions> = {}): FleetOptions {
  return { profiles: [...PROFILE_NAMES], devices: 3, interval: 5, eventMean: 30, idPrefix: '', faults: NO_FAULTS, rng: seededRng(42), ...over };
}

/** Steps the fleet every `tickMs` for `seconds` and returns everything sent. */
function drive(fleet: Fleet, seconds: number, tickMs = 250, start = T0): FleetMessage[] {
  const out: FleetMessage[] = [];
  for (let t = start; t <= start + seconds * 1000; t += tickMs) out.push(...fleet.step(t));
  return out;
}

test('every device of every profile publishes; periodic ones once per interval', () => {
  const fleet = new Fleet(options(), T0);
  assert.equal(fleet.size, 18);
  const msgs = drive(fleet, 600);
  const perDevice = new Map<string, number>();
  for (const m of msgs) perDevice.set(`${m.sim.profile}/${m.sim.deviceId}`, (perDevice.get(`${m.sim.profile}/${m.sim.deviceId}`) || 0) + 1);
  assert.equal(perDevice.size, 18);
  for (const [key, n] of perDevice) {
    if (/^(surveillance|raspberry)\//.test(key)) assert.ok(n >= 8 && n <= 40, `${key}: ${n} events in 600 s (mean 30 s)`);
    else assert.ok(n >= 116 && n <= 124, `${key}: ${n} readings in 600 s at 5 s`);
  }
  assert.deepEqual([...new Set(msgs.map((m) => m.sim.deviceId))].filter((id) => /^(ruuvi|accel|ESP32)/.test(id)).sort(), [
    'ESP32_001',
    'ESP32_002',
    'ESP32_003',
    'accel_001',
    'accel_002',
    'accel_003',
    'ruuvi_001',
    'ruuvi_002',
    'ruuvi_003',
  ]);
  for (const m of msgs) assert.doesNotThrow(() => JSON.parse(m.payload), m.payload);
});

test('first readings of periodic devices arrive within the first interval', () => {
  const fleet = new Fleet(options({ profiles: ['environmental', 'esp32', 'telemetry', 'activity'], devices: 10 }), T0);
  const first = drive(fleet, 5);
  assert.equal(new Set(first.map((m) => m.sim.deviceId)).size, 40);
});

test('the same seed and clock replay the same fleet', () => {
  const a = drive(new Fleet(options({ rng: seededRng(5) }), T0), 120).map((m) => m.topic + m.payload);
  const b = drive(new Fleet(options({ rng: seededRng(5) }), T0), 120).map((m) => m.topic + m.payload);
  const c = drive(new Fleet(options({ rng: seededRng(6) }), T0), 120).map((m) => m.topic + m.payload);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test('id prefix is prepended; 100 devices per profile', () => {
  const fleet = new Fleet(options({ devices: 100, idPrefix: 'lab-' }), T0);
  assert.equal(fleet.size, 600);
  const ids = fleet.ids();
  assert.equal(new Set(ids).size, 600);
  assert.ok(ids.includes('lab-ruuvi_100') && ids.includes('lab-raspberry-1') && ids.includes('lab-raspberry-01'));
  const msgs = drive(fleet, 5);
  assert.ok(msgs.some((m) => m.topic === 'lifecompanion/sensors/lab-ruuvi_042/environmental'));
});

test('after a stall a device sends one message, not a burst of missed ones', () => {
  const fleet = new Fleet(options({ profiles: ['environmental'], devices: 1 }), T0);
  drive(fleet, 10);
  const late = fleet.step(T0 + 3_600_000);
  assert.equal(late.length, 1);
  assert.equal(fleet.step(T0 + 3_600_000 + 100).length, 0);
  assert.ok(fleet.nextDue() > T0 + 3_600_000);
});

test('event devices: mean gap near eventMean, never closer than the 2 s cooldown', () => {
  const fleet = new Fleet(options({ profiles: ['surveillance'], devices: 1, eventMean: 10 }), T0);
  const times: number[] = [];
  for (let t = T0; t <= T0 + 3 * 3_600_000; t += 100) if (fleet.step(t).length) times.push(t);
  const gaps = times.slice(1).map((t, i) => t - times[i]);
  const mean = gaps.reduce((a, b) => a + b) / gaps.length;
  assert.ok(mean > 8_500 && mean < 11_500, `mean gap ${mean} ms`);
  assert.ok(Math.min(...gaps) >= 2000, `min gap ${Math.min(...gaps)}`);
});

test('dropout silences devices for several intervals, then they come back', () => {
  const fleet = new Fleet(options({ profiles: ['esp32'], devices: 20, faults: { ...NO_FAULTS, dropout: 0.05 } }), T0);
  const msgs = drive(fleet, 1200, 500);
  const byDevice = new Map<string, number[]>();
  for (const m of msgs) {
    const list = byDevice.get(m.sim.deviceId) || [];
    list.push(JSON.parse(m.payload).timestamp);
    byDevice.set(m.sim.deviceId, list);
  }
  assert.equal(byDevice.size, 20, 'every device came back');
  const total = msgs.length;
  assert.ok(total < 20 * 240 * 0.8, `${total} of ${20 * 240} readings: dropouts removed a good share`);
  // A device back from a dropout has rebooted: millis() starts again near zero.
  const reboots = [...byDevice.values()].reduce((n, ts) => n + ts.slice(1).filter((v, i) => v < ts[i]).length, 0);
  assert.ok(reboots > 5, `${reboots} millis() restarts`);
});

test('spike and malformed rates are honoured and labelled', () => {
  const fleet = new Fleet(options({ profiles: ['environmental', 'esp32', 'telemetry'], devices: 5, faults: { dropout: 0, spike: 0.1, malformed: 0.1 } }), T0);
  const msgs = drive(fleet, 1000);
  const spikes = msgs.filter((m) => m.sim.fault === 'spike');
  const bad = msgs.filter((m) => m.sim.fault?.startsWith('malformed'));
  assert.ok(spikes.length > msgs.length * 0.06 && spikes.length < msgs.length * 0.13, `${spikes.length} spikes of ${msgs.length}`);
  assert.ok(bad.length > msgs.length * 0.07 && bad.length < msgs.length * 0.13, `${bad.length} malformed of ${msgs.length}`);
  for (const m of spikes) {
    const p = JSON.parse(m.payload);
    const values = p.metrics
      ? p.metrics.map((x: any) => x.value)
      : [p.temperature, p.humidity, p.pressure, p.battery, p.object_temp, p.ambient_temp, p.heart_rate, p.spo2];
    assert.ok(
      values.some((v: number) => [85, -40, 127.5, 0, 255, 1037.55, -273.15, -999, 999.9, -20, 65535].includes(v)),
      m.payload,
    );
  }
  const kinds = new Set(bad.map((m) => m.sim.fault));
  assert.deepEqual([...kinds].sort(), ['malformed:garbage', 'malformed:truncated', 'malformed:wrong-type']);
  for (const m of bad) {
    if (m.sim.fault === 'malformed:wrong-type') {
      const p = JSON.parse(m.payload);
      const nonNumbers = numericPaths(p).length;
      assert.ok(nonNumbers < (m.sim.profile === 'telemetry' ? 3 : m.sim.profile === 'esp32' ? 5 : 4), m.payload);
    } else {
      assert.throws(() => {
        const v = JSON.parse(m.payload);
        if (typeof v !== 'object' || v === null) throw new Error('not an object');
      }, m.payload);
    }
  }
  assert.equal(
    msgs.filter((m) => !m.sim.fault).every((m) => typeof JSON.parse(m.payload) === 'object'),
    true,
  );
});

test('logic modules stay free of Node-RED (only the glue file may touch the runtime)', () => {
  const fs = require('fs') as typeof import('fs');
  const path = require('path') as typeof import('path');
  const dir = path.resolve(__dirname, '..', '..', '..', '..', 'nodes', 'sensor-input');
  const files = [...fs.readdirSync(dir).map((f) => path.join(dir, f)), ...fs.readdirSync(path.join(dir, 'sim')).map((f) => path.join(dir, 'sim', f))].filter(
    (f) => f.endsWith('.ts') && !f.endsWith('sensor-input.ts'),
  );
  assert.ok(files.length >= 15, `${files.length} logic files`);
  for (const f of files)
    assert.doesNotMatch(fs.readFileSync(f, 'utf8'), /from ['"](node-red|@node-red\/[^'"]+|\.\.\/common\/red)['"]|require\(['"]node-red/, f);
});
