/** parseConfig / parseSmtpConfig / smtpTarget. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig, DEFAULTS } from '../../nodes/alert-notifier/config';
import { parseSmtpConfig, smtpTarget, parseSmtpUrl, SMTP_DEFAULTS } from '../../nodes/alert-notifier/smtp-settings';

test('defaults parse to the documented settings', () => {
  const c = parseConfig({ ...DEFAULTS }, { ALERT_EMAIL_TO: 'a@x, b@x', WEBHOOK_URL: 'http://hook' });
  assert.equal(c.mode, 'alert');
  assert.equal(c.to, 'a@x, b@x');
  assert.equal(c.url, 'http://hook');
  assert.equal(c.webhook, false);
  assert.equal(c.notifyResolved, true);
  assert.equal(c.retryInitialMs, 2000);
  assert.equal(c.retryMaxMs, 30_000);
  assert.equal(c.giveUpMs, 24 * 3600_000);
  assert.equal(c.rateMax, 10);
  assert.equal(c.rateWindowMs, 300_000);
  assert.equal(c.timeoutMs, 10_000);
  assert.equal(c.body, undefined);
});

test('version 0 configs are upgraded: a URL meant "send webhooks"', () => {
  assert.equal(parseConfig({ url: 'http://h' }, {}).webhook, true);
  assert.equal(parseConfig({ url: '${WEBHOOK_URL}' }, {}).webhook, false);
  assert.equal(parseConfig({ url: 'http://h', webhook: false, configVersion: 1 }, {}).webhook, false);
});

test('bad settings name their field', () => {
  const bad: Array<[Record<string, unknown>, RegExp]> = [
    [{ mode: 'x' }, /mode must be alert or event/],
    [{ method: 'GET' }, /method must be POST, PUT or PATCH/],
    [{ headers: '[1]' }, /headers must be a JSON object/],
    [{ headers: '{"Bad Name":"x"}' }, /header name "Bad Name"/],
    [{ headers: '{"X-A":"a\\r\\nB: c"}' }, /header X-A must be one line/],
    [{ bodyTemplate: '{"a":' }, /body template is not valid JSON/],
    [{ timeoutS: 'abc' }, /timeoutS must be a number/],
    [{ retryInitialS: 10, retryMaxS: 5 }, /retryMaxS must not be less than retryInitialS/],
    [{ rateMax: -1 }, /rateMax must be a number from 0/],
  ];
  for (const [def, re] of bad) assert.throws(() => parseConfig(def, {}), re, JSON.stringify(def));
});

test('smtp: SMTP_URL wins over host; smtps means TLS; credentials override the URL user', () => {
  const cfg = parseSmtpConfig({ ...SMTP_DEFAULTS, host: 'ignored' }, { SMTP_URL: 'smtp://u:p%40ss@mail.example.com:2525', ALERT_EMAIL_FROM: 'me@x' });
  assert.equal(cfg.from, 'me@x');
  const t = smtpTarget(cfg);
  assert.equal(t.kind, 'smtp');
  if (t.kind !== 'smtp') return;
  assert.equal(t.options.host, 'mail.example.com');
  assert.equal(t.options.port, 2525);
  assert.deepEqual(t.options.auth, { user: 'u', pass: 'p@ss' });
  assert.deepEqual(t.secrets, ['p@ss']);
  assert.ok(!t.describe.includes('p@ss'));
  const t2 = smtpTarget(cfg, { user: 'cu', password: 'cp' });
  assert.deepEqual(t2.kind === 'smtp' && t2.options.auth, { user: 'cu', pass: 'cp' });
  assert.deepEqual(parseSmtpUrl('smtps://h'), { host: 'h', port: 465, security: 'tls', user: undefined, password: undefined });
  assert.equal(parseSmtpUrl('smtp://h?security=none').security, 'none');
});

test('smtp: security maps to nodemailer options', () => {
  const opts = (security: string) => {
    const t = smtpTarget(parseSmtpConfig({ ...SMTP_DEFAULTS, url: '', host: 'h', security }, {}));
    return t.kind === 'smtp' ? { secure: t.options.secure, requireTLS: t.options.requireTLS, ignoreTLS: t.options.ignoreTLS } : undefined;
  };
  assert.deepEqual(opts('tls'), { secure: true, requireTLS: undefined, ignoreTLS: undefined });
  assert.deepEqual(opts('starttls'), { secure: false, requireTLS: true, ignoreTLS: undefined });
  assert.deepEqual(opts('none'), { secure: false, requireTLS: undefined, ignoreTLS: true });
  assert.throws(() => parseSmtpConfig({ security: 'ssl3' }, {}), /security must be one of/);
  assert.throws(() => parseSmtpConfig({ port: 70000 }, {}), /port must be a whole number/);
});

test('smtp: no SMTP_URL and no host means the .eml folder', () => {
  const t = smtpTarget(parseSmtpConfig({ ...SMTP_DEFAULTS }, {}));
  assert.equal(t.kind, 'folder');
  assert.equal(t.from, 'node-red@localhost');
});
