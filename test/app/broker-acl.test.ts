/** The embedded broker's ACL: the shipped Mosquitto ACL's patterns, an operator role, anonymous telemetry. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BrokerClient, covered, mayPublish, maySubscribe } from '../../app/broker-acl';

test('covered: a filter is allowed only when the pattern covers every topic it can match', () => {
  const rows: Array<[string, string, boolean]> = [
    ['sensors/#', 'sensors/a/b', true],
    ['sensors/#', 'sensors', true],
    ['sensors/#', 'sensorsx/a', false],
    ['sensors/+/x', 'sensors/a/x', true],
    ['sensors/+/x', 'sensors/+/x', true],
    ['sensors/a/x', 'sensors/+/x', false],
    ['sensors/+/x', 'sensors/#', false],
    ['#', '$SYS/broker', false],
    ['commands/dev-1/#', 'commands/dev-1/servo', true],
    ['commands/dev-1/#', 'commands/+/servo', false],
  ];
  for (const [pattern, filter, want] of rows) assert.equal(covered(pattern, filter), want, `${pattern} covers ${filter}`);
});

const anon: BrokerClient = { role: 'anonymous' };
const device: BrokerClient = { role: 'device', username: 'raspberry-01' };
const operator: BrokerClient = { role: 'operator', username: 'ops' };
const app: BrokerClient = { role: 'app', username: 'iot-app' };

test('anonymous clients publish and read telemetry, never control or commands', () => {
  for (const t of ['sensors/dev-1/env', 'sensor/motion', 'lifecompanion/sensors/r1/environmental', 'devices/d1/telemetry'])
    assert.equal(mayPublish(anon, t), true, t);
  for (const t of ['alerts/control/rules', 'alerts/control/ack', 'commands/dev-1/servo', 'commands/dev-1/record', '$SYS/x', 'other/topic'])
    assert.equal(mayPublish(anon, t), false, t);
  // The firmware topics the telemetry flow reads, but never control or commands through a firmware pattern.
  for (const t of [
    'zigbee2mqtt/kitchen/sensor',
    'tele/tasmota_1/SENSOR',
    'shellies/shellyht-1/sensor/temperature',
    'ruuvi/gw/aa:bb',
    'esp-1/sensor/temp/state',
  ])
    assert.equal(mayPublish(anon, t), true, t);
  for (const t of ['commands/status/x', 'alerts/status/x', 'alerts/online', 'cmnd/tasmota_1/POWER']) assert.equal(mayPublish(anon, t), false, t);
  assert.equal(maySubscribe(anon, 'sensors/#'), true);
  assert.equal(maySubscribe(anon, 'commands/#'), false);
  assert.equal(maySubscribe(anon, '#'), false);
});

test('a device, as in the Mosquitto ACL: its own sensor topics and commands only', () => {
  assert.equal(mayPublish(device, 'sensors/raspberry-01/motion'), true);
  assert.equal(mayPublish(device, 'sensors/raspberry-02/motion'), false);
  assert.equal(mayPublish(device, 'commands/raspberry-01/servo/ack'), true);
  assert.equal(mayPublish(device, 'commands/raspberry-01/servo'), false);
  assert.equal(mayPublish(device, 'alerts/control/rules'), false);
  assert.equal(maySubscribe(device, 'commands/raspberry-01/#'), true);
  assert.equal(maySubscribe(device, 'commands/+/servo'), false);
  // The ESP32 seed's control topic: its own, and its ack.
  assert.equal(maySubscribe(device, 'commands/esp32/raspberry-01/control'), true);
  assert.equal(maySubscribe(device, 'commands/esp32/raspberry-02/control'), false);
  assert.equal(mayPublish(device, 'commands/esp32/raspberry-01/control/ack'), true);
  assert.equal(mayPublish(device, 'commands/esp32/raspberry-01/control'), false);
  assert.equal(mayPublish({ role: 'device', username: 'a/+' }, 'sensors/a/+/x'), false, 'wildcards in a user name are refused');
});

test('operators steer (control, commands); the app may do everything', () => {
  for (const t of ['alerts/control/rules', 'alerts/control/ack', 'commands/dev-1/servo']) assert.equal(mayPublish(operator, t), true, t);
  assert.equal(mayPublish(operator, 'sensors/dev-1/env'), false, 'operators do not forge readings');
  assert.equal(mayPublish(app, 'anything/at/all'), true);
  assert.equal(maySubscribe(app, '#'), true);
});
