import assert from 'node:assert/strict';
import test from 'node:test';
import { logHandler, redactor } from '../../app/logging';

test('secrets from the environment and URL passwords are masked', () => {
  const redact = redactor({ INFLUX_TOKEN: 'tok-123456', SMTP_URL: 'smtp://mailer:p%40ss@mail:587', WEBHOOK_SECRET: 'whsec' });
  assert.equal(redact('write failed with token tok-123456'), 'write failed with token ***');
  assert.equal(redact('cannot reach smtp://mailer:p@ss@mail:587'), 'cannot reach smtp://mailer:***@mail:587');
  assert.equal(redact('hmac whsec used'), 'hmac *** used');
  assert.equal(redact('Authorization: Bearer abcdefghijklmnop'), 'Authorization: Bearer ***');
  assert.equal(redact('mqtts://dev:hunter2@broker:8883 is down'), 'mqtts://dev:***@broker:8883 is down');
});

test('JSON format writes one object a line with level, node and masked message', () => {
  const lines: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => {
    lines.push(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    logHandler('json', { MQTT_PASSWORD: 'sekrit-pw' })({ level: 20, msg: new Error('auth sekrit-pw refused'), type: 'mqtt-broker', id: 'b1' });
  } finally {
    process.stdout.write = write;
  }
  assert.equal(lines.length, 1);
  const line = JSON.parse(lines[0]);
  assert.equal(line.level, 'error');
  assert.equal(line.msg, 'auth *** refused');
  assert.deepEqual(line.node, { type: 'mqtt-broker', id: 'b1' });
  assert.ok(!Number.isNaN(Date.parse(line.time)));
});
