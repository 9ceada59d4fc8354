/** The Raspberry Pi generator: motion and button documents of the seed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { raspberry, LOCATIONS } from '../../../nodes/sensor-input/sim/raspberry';
import { run, keys } from './generator-support';

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
