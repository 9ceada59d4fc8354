import assert from 'node:assert/strict';
import test from 'node:test';
import { readEnv, withAuth } from '../../app/env';

test('defaults: embedded broker, loopback, 5 simulated devices', () => {
  const env = readEnv({});
  assert.equal(env.port, 1880);
  assert.equal(env.host, '127.0.0.1');
  assert.equal(env.embeddedBroker, true);
  assert.equal(env.mqttUrl, 'mqtt://127.0.0.1:1883');
  assert.equal(env.simulateDevices, 5);
  assert.equal(env.embeddedWsPort, 9001);
  assert.equal(readEnv({ MQTT_EMBEDDED_WS_PORT: '0' }).embeddedWsPort, 0);
});

test('an external broker turns the embedded one and the simulator off', () => {
  const env = readEnv({ MQTT_URL: 'mqtts://broker.example:8883' });
  assert.equal(env.embeddedBroker, false);
  assert.equal(env.mqttUrl, 'mqtts://broker.example:8883');
  assert.equal(env.simulateDevices, 0);
});

test('bad values name the variable', () => {
  assert.throws(() => readEnv({ PORT: 'eighty' }), /PORT must be a whole number/);
  assert.throws(() => readEnv({ SIMULATE_DEVICES: '500' }), /SIMULATE_DEVICES must be a whole number from 0 to 100/);
  assert.throws(() => readEnv({ MQTT_URL: 'broker:1883' }), /MQTT_URL must look like/);
  assert.throws(() => readEnv({ LOG_FORMAT: 'xml' }), /LOG_FORMAT must be text or json/);
  assert.throws(() => readEnv({ MQTT_EMBEDDED_WS_PORT: '70000' }), /MQTT_EMBEDDED_WS_PORT must be a whole number from 0 to 65535/);
});

test('broker credentials go into the URL, encoded', () => {
  assert.equal(withAuth('mqtt://broker:1883', undefined, 'x'), 'mqtt://broker:1883');
  assert.equal(withAuth('mqtts://broker:8883', 'node red', 'p@ss:word'), 'mqtts://node%20red:p%40ss%3Aword@broker:8883');
});
