/** The surveillance generator: sensor_motion documents, topics per type, unique ids. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { surveillance } from '../../../nodes/sensor-input/sim/surveillance';
import { LOCAL_MICROS, run, keys } from './generator-support';

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
