/** nodes/common/redact: the one redaction path for logs, statuses, health details and answers. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { envSecrets, redact, urlPassword } from '../../nodes/common/redact';
import { status } from '../../nodes/common/status';
import { healthSnapshot, reportHealth, clearHealth } from '../../nodes/common/health';

const cases: Array<[string, string | undefined]> = [
  ['http://user:pw-123@host:8086', 'pw-123'],
  ['mqtt://dev:p%40ss@broker', 'p@ss'],
  ['mqtt//dev:broken-pw@broker:1883', 'broken-pw'],
  ['dev:only-pw@broker', 'only-pw'],
  ['http://host:8086', undefined],
  ['http://user@host', undefined],
];
for (const [value, expected] of cases) {
  test(`the password of ${value} is found`, () => assert.equal(urlPassword(value), expected));
}

test('secrets from the environment are masked, also inside malformed URLs and URL-encoded', () => {
  const env = { INFLUX_URL: 'http://writer:hunter2-x@db:8086', MQTT_URL: 'mqtt//dev:s3cret@broker', INFLUX_TOKEN: 'tok/en+123' };
  assert.deepEqual(envSecrets(env).sort(), ['hunter2-x', 's3cret', 'tok/en+123']);
  assert.equal(redact('got "mqtt//dev:s3cret@broker"', [], env), 'got "mqtt//dev:***@broker"');
  assert.equal(redact('token tok%2Fen%2B123 refused', [], env), 'token *** refused');
  assert.equal(
    redact('Request cannot be constructed from http://writer:hunter2-x@db:8086/write', [], env),
    'Request cannot be constructed from http://writer:***@db:8086/write',
  );
  assert.equal(redact('sftp://a:b@c and Authorization: Basic YWRtaW46cGFzc3dvcmQ=', [], {}), 'sftp://a:***@c and Authorization: Basic ***');
  assert.equal(redact(new Error('key hook-secret leaked'), ['hook-secret'], {}), 'key *** leaked');
});

test('status texts and health details go through it', () => {
  assert.equal(status.failed('cannot reach http://u:pw-999@h:1').text, 'cannot reach http://u:***@h:1');
  reportHealth('redact-test', { kind: 'test', ok: false, detail: 'down: http://u:pw-999@h:1/write' });
  try {
    assert.equal(healthSnapshot()['redact-test'].detail, 'down: http://u:***@h:1/write');
  } finally {
    clearHealth('redact-test');
  }
});
