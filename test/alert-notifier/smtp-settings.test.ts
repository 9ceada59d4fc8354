/** parseSmtpConfig / parseSmtpUrl / smtpTarget: the SMTP config node's settings and where mail goes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSmtpConfig, smtpTarget, parseSmtpUrl, SMTP_DEFAULTS } from '../../nodes/alert-notifier/smtp-settings';

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
