import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MinInterval } from '../../nodes/servo-command/min-interval';

test('MinInterval: one command per interval per device', () => {
  const rl = new MinInterval(500);
  assert.equal(rl.take('a', 1000), 0);
  assert.equal(rl.take('a', 1200), 300);
  assert.equal(rl.take('b', 1200), 0);
  assert.equal(rl.take('a', 1500), 0);
  assert.equal(new MinInterval(0).take('a', 1), 0);
});
