/** The environmental generator: seed shape and ranges, daily cycle, anti-correlated humidity, random-walk pressure, draining battery. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { environmental, dailyTemperature } from '../../../nodes/sensor-input/sim/environmental';
import { seededRng } from '../../../nodes/sensor-input/sim/rng';
import { T0, ISO_Z, run, keys } from './generator-support';

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
