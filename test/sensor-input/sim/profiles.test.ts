/** Across the profiles: a spike puts exactly one value out of its physical range. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { environmental } from '../../../nodes/sensor-input/sim/environmental';
import { activity } from '../../../nodes/sensor-input/sim/activity';
import { esp32 } from '../../../nodes/sensor-input/sim/esp32';
import { telemetry } from '../../../nodes/sensor-input/sim/telemetry';
import { seededRng } from '../../../nodes/sensor-input/sim/rng';
import { T0 } from './generator-support';

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
