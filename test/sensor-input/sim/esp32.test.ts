/** The ESP32 generator: the seed document and millis() since boot. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { esp32, MILLIS_WRAP } from '../../../nodes/sensor-input/sim/esp32';
import { seededRng } from '../../../nodes/sensor-input/sim/rng';
import { T0, run, keys } from './generator-support';

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
