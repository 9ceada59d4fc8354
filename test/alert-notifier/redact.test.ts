/** Secrets never reach logs, statuses or results. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redact, redactUrls } from '../../nodes/alert-notifier/redact';
import { parseSmtpUrl } from '../../nodes/alert-notifier/smtp-settings';

test('URL passwords are masked, user and host kept', () => {
  assert.equal(redactUrls('connect smtp://mailer:hunter2@mail.example.com:587 failed'), 'connect smtp://mailer:***@mail.example.com:587 failed');
  assert.equal(redactUrls('https://u:p%40ss@h/x and mqtt://a:b@c'), 'https://u:***@h/x and mqtt://a:***@c');
  assert.equal(redactUrls('http://host:8080/path'), 'http://host:8080/path', 'a port is not a password');
});

test('known secrets are masked anywhere, also URL-encoded, in strings and errors', () => {
  assert.equal(redact('auth failed for p@ss:word with p%40ss%3Aword', ['p@ss:word']), 'auth failed for *** with ***');
  assert.equal(redact(new Error('key hook-secret leaked'), ['hook-secret']), 'key *** leaked');
  assert.equal(redact('nothing here', [undefined, '', 'ab']), 'nothing here', 'empty or tiny secrets ignored');
});

test('a bad SMTP_URL error does not show the password', () => {
  assert.throws(
    () => parseSmtpUrl('smtp://user:topsecret@'),
    (err: Error) => !err.message.includes('topsecret'),
  );
  assert.throws(
    () => parseSmtpUrl('http://user:topsecret@host'),
    (err: Error) => !err.message.includes('topsecret') && /smtp:\/\//.test(err.message),
  );
});
