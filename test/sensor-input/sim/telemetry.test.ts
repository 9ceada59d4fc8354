/** The telemetry generator: a metrics array with units under a stable UUID. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { telemetry, deviceUuid } from '../../../nodes/sensor-input/sim/telemetry';
import { ISO_Z, run, keys } from './generator-support';

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
