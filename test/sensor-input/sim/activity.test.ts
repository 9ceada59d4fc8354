/** The activity (accelerometer) generator: shape, phases that persist, magnitudes per phase. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activity, PHASE_SECONDS, type ActivityPhase } from '../../../nodes/sensor-input/sim/activity';
import { ISO_Z, run, keys } from './generator-support';

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
