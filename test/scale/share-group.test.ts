/** MQTT_SHARE_GROUP: sensor-input's share group setting and the app's environment check. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig, subscriptionFilters } from '../../nodes/sensor-input/config';
import { readEnv } from '../../app/env';

const mqttDef = { mode: 'mqtt', broker: 'b', topics: 'sensors/#\nsensor/+' };

test('a share group turns every filter into $share/<group>/<filter>', () => {
  const cfg = parseConfig({ ...mqttDef, shareGroup: 'iot' });
  assert.deepEqual(subscriptionFilters(cfg), ['$share/iot/sensors/#', '$share/iot/sensor/+']);
});

test('${MQTT_SHARE_GROUP} resolves from the environment; unset means plain filters', () => {
  const def = { ...mqttDef, shareGroup: '${MQTT_SHARE_GROUP}' };
  assert.deepEqual(subscriptionFilters(parseConfig(def, () => undefined)), ['sensors/#', 'sensor/+']);
  assert.deepEqual(subscriptionFilters(parseConfig(def, (n) => (n === 'MQTT_SHARE_GROUP' ? 'fleet' : undefined))), [
    '$share/fleet/sensors/#',
    '$share/fleet/sensor/+',
  ]);
  assert.deepEqual(subscriptionFilters(parseConfig(mqttDef)), ['sensors/#', 'sensor/+']);
});

test('a share group with a topic separator or wildcard is refused, naming the field', () => {
  for (const bad of ['a/b', 'a+', '#']) {
    assert.throws(
      () => parseConfig({ ...mqttDef, shareGroup: bad }),
      (err: Error & { field?: string }) => /share group/.test(err.message),
    );
  }
});

test('MQTT_SHARE_GROUP needs MQTT_URL and a plain name; REDIS_URL must be a redis URL', () => {
  assert.equal(readEnv({ MQTT_URL: 'mqtt://h:1883', MQTT_SHARE_GROUP: 'iot' }).shareGroup, 'iot');
  assert.equal(readEnv({}).shareGroup, '');
  assert.throws(() => readEnv({ MQTT_SHARE_GROUP: 'iot' }), /MQTT_SHARE_GROUP needs MQTT_URL/);
  assert.throws(() => readEnv({ MQTT_URL: 'mqtt://h:1883', MQTT_SHARE_GROUP: 'a/b' }), /MQTT_SHARE_GROUP must be a plain name/);
  assert.equal(readEnv({ REDIS_URL: 'redis://127.0.0.1:6379/2' }).redisUrl, 'redis://127.0.0.1:6379/2');
  assert.throws(
    () => readEnv({ REDIS_URL: 'http://u:secret@h' }),
    (err: Error) => /REDIS_URL must look like/.test(err.message) && !err.message.includes('secret'),
  );
});
