/** parseConfig: defaults, typed device counts from the environment, and errors naming the field. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONFIG_VERSION, DEFAULTS, gpioTopic, parseConfig, selectedProfiles } from '../../nodes/sensor-input/config';
import { ValidationError } from '../../nodes/common/errors';

const env = (vars: Record<string, string>) => (name: string) => vars[name];

test('an empty definition gets the defaults (unversioned: a session saved without the setting stays off)', () => {
  const cfg = parseConfig({ id: 'a', type: 'sensor-input' }, env({}));
  assert.deepEqual(cfg, { ...DEFAULTS, persistent: false });
  assert.deepEqual(parseConfig({ configVersion: CONFIG_VERSION }, env({})), DEFAULTS);
  assert.equal(selectedProfiles(cfg).length, 6);
  assert.equal(gpioTopic(cfg), 'sensor/motion');
});

test('editor strings become numbers and booleans', () => {
  const cfg = parseConfig(
    { mode: 'simulate', profile: 'esp32', devices: '12', interval: '0.5', eventMean: '3', seed: '99', dropout: '0.1', autoStart: 'false', activeLow: 'true' },
    env({}),
  );
  assert.deepEqual(
    [cfg.profile, cfg.devices, cfg.interval, cfg.eventMean, cfg.seed, cfg.dropout, cfg.autoStart, cfg.activeLow],
    ['esp32', 12, 0.5, 3, 99, 0.1, false, true],
  );
  assert.deepEqual(selectedProfiles(cfg), ['esp32']);
});

test('devices from ${VAR}, an env typed value, or off when unset', () => {
  assert.equal(parseConfig({ devices: '${SIMULATE_DEVICES}' }, env({ SIMULATE_DEVICES: '7' })).devices, 7);
  assert.equal(parseConfig({ devices: '${SIMULATE_DEVICES}' }, env({})).devices, 0);
  assert.equal(parseConfig({ devices: 'N', devicesType: 'env' }, env({ N: '4' })).devices, 4);
  assert.equal(parseConfig({ devices: '' }, env({})).devices, 0);
  assert.equal(parseConfig({ devices: 5 }, env({})).devices, 5);
  assert.throws(() => parseConfig({ devices: '${N}' }, env({ N: '101' })), /devices must be a whole number from 0 to 100, got "101"/);
});

test('bad values are rejected with the field name', () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ mode: 'serial' }, /^mode must be one of simulate, gpio/],
    [{ profile: 'toaster' }, /^profile must be one of all, environmental/],
    [{ devices: 2.5 }, /^devices must be a whole number/],
    [{ interval: 0 }, /^interval must be a number from 0.05/],
    [{ eventMean: 'soon' }, /^eventMean/],
    [{ dropout: 1.5 }, /^dropout must be a number from 0 to 1/],
    [{ seed: -1 }, /^seed must be empty or a whole number/],
    [{ pin: 60 }, /^pin must be a whole number from 0 to 57/],
    [{ edge: 'up' }, /^edge must be one of rising, falling, both/],
    [{ debounce: -5 }, /^debounce/],
    [{ eventType: 'DOOR_OPENED' }, /^eventType must be one of MOTION_DETECTED/],
    [{ idPrefix: 'a/b' }, /^idPrefix must not hold/],
    [{ mode: 'gpio', topic: 'sensors/+/motion' }, /^topic "sensors\/\+\/motion" must not hold \+ or #/],
    [{ mode: 'gpio', topic: 'sensors/{room}/motion' }, /^topic "sensors\/\{room\}\/motion" cannot be used/],
  ];
  for (const [def, re] of cases) {
    assert.throws(
      () => parseConfig(def, env({})),
      (err: Error) => err instanceof ValidationError && re.test(err.message),
      JSON.stringify(def),
    );
  }
});

test('gpio topic: seed topic per event type, or a rendered template', () => {
  assert.equal(gpioTopic(parseConfig({ mode: 'gpio', eventType: 'PRESSURE_DETECTED' }, env({}))), 'sensor/pressure');
  assert.equal(gpioTopic(parseConfig({ mode: 'gpio', eventType: 'BUTTON_PRESSED' }, env({}))), 'sensor/button');
  const cfg = parseConfig({ mode: 'gpio', topic: 'sensors/{deviceId}/{sensorType}', deviceId: 'raspberry-01' }, env({}));
  assert.equal(gpioTopic(cfg), 'sensors/raspberry-01/motion');
});

test('device id from ${VAR}: the variable, or the default when it is unset', () => {
  const def = { mode: 'gpio', deviceId: '${DEVICE_ID}', topic: 'sensors/{deviceId}/{sensorType}' };
  assert.equal(gpioTopic(parseConfig(def, env({ DEVICE_ID: 'raspberry-02' }))), 'sensors/raspberry-02/motion');
  assert.equal(parseConfig(def, env({})).deviceId, 'raspberry-1');
  assert.throws(() => parseConfig({ deviceId: 'a/b' }, env({})), /^ValidationError: deviceId must not hold/);
});

test('unversioned settings are stamped with the current version', () => {
  assert.equal(parseConfig({ configVersion: undefined }, env({})).configVersion, CONFIG_VERSION);
  assert.equal(parseConfig({ configVersion: 1 }, env({})).configVersion, CONFIG_VERSION);
});

test('version 2: durable acknowledgement for every MQTT input; a session saved without the setting stays as it was', () => {
  assert.deepEqual([parseConfig({ configVersion: 1 }, env({})).persistent, parseConfig({ configVersion: 1 }, env({})).ack], [false, 'durable']);
  assert.equal(parseConfig({ configVersion: 1, persistent: true }, env({})).persistent, true);
  assert.deepEqual([parseConfig({ configVersion: 2 }, env({})).persistent, parseConfig({ configVersion: 2 }, env({})).ack], [true, 'durable']);
  assert.equal(parseConfig({ configVersion: 2, ack: 'received' }, env({})).ack, 'received');
  assert.throws(() => parseConfig({ configVersion: 2, ack: 'later' }, env({})), /ack must be one of durable, received/);
});
