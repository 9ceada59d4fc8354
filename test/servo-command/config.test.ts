import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../nodes/servo-command/config';

test('config validation names the field', () => {
  assert.equal(parseConfig({}).mode, 'server');
  assert.throws(() => parseConfig({ mode: 'both' }), /mode must be server or device/);
  assert.throws(() => parseConfig({ deviceId: 'a/b' }), /deviceId/);
  assert.throws(() => parseConfig({ topic: 'commands/servo' }), /must contain \{deviceId\}/);
  assert.throws(() => parseConfig({ topic: 'commands/#/x/{deviceId}' }), /topic:/);
  assert.throws(() => parseConfig({ minPulseUs: 2500, maxPulseUs: 500 }), /minPulseUs/);
  assert.throws(() => parseConfig({ maxPulseUs: 4000, periodNs: 3_000_000 }), /shorter than the period/);
  assert.throws(() => parseConfig({ rateLimitMs: -1 }), /rateLimitMs must be a number from 0/);
  assert.throws(() => parseConfig({ pwmRoot: 'sys/class/pwm' }), /absolute/);
  assert.equal(parseConfig({ deviceId: '${DEVICE_ID}' }, { DEVICE_ID: 'raspberry-01' }).deviceId, 'raspberry-01');
  assert.equal(parseConfig({ deviceId: '${DEVICE_ID}' }, {}).deviceId, '');
});
