/**
 * alert-notifier in the Node-RED test helper against a real SMTP server and a
 * real HTTP receiver: email content, webhook signature and idempotency key,
 * folder fallback, attachments, rate limit digest, errors to Catch.
 */
import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'fs';
import path from 'path';
import { tempDir } from '../support/services';

// Each test gets its own data folder: outbox and delivered-keys journal start empty.
let DATA = tempDir('notifier');
const dirs: string[] = [];

import { helper, load, nodeModule, collect } from '../support/red';
import { SmtpReceiver, HttpReceiver, waitFor } from './receivers';
import { alert, notifierFlow } from './fixtures';
import { transitionKey } from '../../nodes/alert-notifier/signing';
import { metrics } from '../../nodes/common/metrics';
import { healthSnapshot } from '../../nodes/common/health';

async function sentCount(channel: string): Promise<number> {
  const m = await metrics.notificationsSent.get();
  return m.values.find((v) => v.labels.channel === channel)?.value ?? 0;
}

const SECRET = 'hook-secret-123';
const smtp = new SmtpReceiver({ user: 'mailer', password: 'p@ss:word/1' });
const web = new HttpReceiver(SECRET);
const nodes = [nodeModule('alert-notifier'), require('../../nodes/alert-notifier/smtp-config'), require('@node-red/nodes/core/common/25-catch.js')];

before(async () => {
  await smtp.start();
  await web.start();
  await new Promise<void>((r) => helper.startServer(() => r()));
});
beforeEach(() => {
  DATA = tempDir('notifier');
  dirs.push(DATA);
  process.env.DATA_DIR = DATA;
});
afterEach(async () => {
  await helper.unload();
  smtp.mails.length = 0;
  web.requests.length = 0;
});
after(async () => {
  await new Promise<void>((r) => helper.stopServer(() => r()));
  await smtp.stop();
  await web.stop();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const creds = { 'smtp-default': { user: 'mailer', password: 'p@ss:word/1' }, n1: { secret: SECRET } };

test('a fired critical alert arrives as email (templates, escaping, auth) and as a signed webhook', async () => {
  await load(nodes, notifierFlow({ smtpPort: smtp.port, webhookUrl: `${web.url}/hook` }), creds);
  const before = { email: await sentCount('email'), webhook: await sentCount('webhook') };
  const results = collect('out', 2, 15_000);
  const a = alert({ severity: 'critical', title: 'Temp <b>high</b> & "hot"' });
  helper.getNode('n1').receive({ payload: a, event: 'fired' });
  const got = await results;
  assert.deepEqual(got.map((m) => m.payload.status).sort(), ['sent', 'sent']);
  assert.deepEqual(got.map((m) => m.payload.channel).sort(), ['email', 'webhook']);

  await waitFor('one mail', () => smtp.mails.length === 1);
  const mail = smtp.mails[0];
  assert.deepEqual(mail.to, ['oncall@test.local'], 'critical goes to the critical recipients');
  assert.equal(mail.from, 'alerts@test.local');
  assert.equal(mail.user, 'mailer', 'authenticated with the credentials');
  assert.equal(mail.headers.subject, '[CRITICAL] Temp <b>high</b> & "hot" (fired)');
  assert.match(mail.raw, /Temp &lt;b&gt;high&lt;\/b&gt; &amp; &quot;hot&quot;/, 'HTML part escapes the title');
  assert.ok(!/<h2>Temp <b>/.test(mail.raw), 'no raw markup from a field in the HTML part');
  const key = transitionKey(a);
  assert.equal(mail.headers['message-id'], `<${key.slice(0, 40)}@iot-notifier.local>`);

  const req = web.requests[0];
  assert.equal(web.requests.length, 1);
  assert.equal(req.method, 'POST');
  assert.equal(req.url, '/hook');
  assert.equal(req.signatureOk, true, 'X-Signature is HMAC-SHA256 of the raw body');
  assert.match(String(req.headers['x-signature']), /^sha256=[0-9a-f]{64}$/);
  assert.equal(req.headers['idempotency-key'], key);
  assert.equal(req.headers['x-test'], 'yes');
  assert.deepEqual(req.json, { event: 'fired', alert: a, device: { id: a.deviceId, name: null, location: null } });

  assert.equal(await sentCount('email'), before.email + 1);
  assert.equal(await sentCount('webhook'), before.webhook + 1);
  const h = healthSnapshot().n1;
  assert.equal(h.kind, 'alert-notifier');
  assert.equal(h.ok, true);
  assert.deepEqual(h.figures, { outbox: 0, sent: 2, failed: 0, grouped: 0 });
  assert.equal((await metrics.outboxDepth.get()).values[0].value, 0);
});

test('a resolved alert is notified by default and gets its own key', async () => {
  await load(nodes, notifierFlow({ smtpPort: smtp.port, webhookUrl: `${web.url}/hook` }), creds);
  const results = collect('out', 4, 15_000);
  const fired = alert();
  const resolved = alert({ state: 'resolved', since: fired.since + 60_000 });
  helper.getNode('n1').receive({ payload: fired, event: 'fired' });
  helper.getNode('n1').receive({ payload: resolved, event: 'resolved' });
  await results;
  const keys = web.requests.map((r) => r.headers['idempotency-key']);
  assert.deepEqual(new Set(keys), new Set([transitionKey(fired), transitionKey(resolved)]));
  assert.equal(smtp.mails.length, 2);
});

test('the same transition arriving twice at once is delivered once, the copy reported as duplicate', async () => {
  await load(nodes, notifierFlow({ smtpPort: smtp.port, webhookUrl: `${web.url}/hook` }), creds);
  const results = collect('out', 4, 15_000);
  const a = alert({ id: 'twice' });
  helper.getNode('n1').receive({ payload: a, event: 'fired' });
  helper.getNode('n1').receive({ payload: a, event: 'fired' });
  const got = await results;
  assert.deepEqual(got.map((m) => m.payload.status).sort(), ['duplicate', 'duplicate', 'sent', 'sent']);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(smtp.mails.length, 1);
  assert.equal(web.requests.length, 1);
});

test('notifyResolved off: a resolved alert sends nothing', async () => {
  await load(nodes, notifierFlow({ smtpPort: smtp.port, webhookUrl: `${web.url}/hook`, notifier: { notifyResolved: false } }), creds);
  const results = collect('out', 2, 15_000);
  helper.getNode('n1').receive({ payload: alert({ state: 'resolved' }), event: 'resolved' });
  helper.getNode('n1').receive({ payload: alert({ id: 'al-2' }), event: 'fired' });
  const got = await results;
  assert.ok(
    got.every((m) => m.payload.ref.alertId === 'al-2'),
    'only the fired alert was delivered',
  );
  assert.equal(smtp.mails.length, 1);
});

test('an invalid alert goes to Catch with the field named, and nothing is sent', async () => {
  await load(nodes, notifierFlow({ smtpPort: smtp.port, webhookUrl: `${web.url}/hook` }), creds);
  const errors = collect('errors', 1, 5000);
  helper.getNode('n1').receive({ payload: { ...alert(), severity: 'huge' }, event: 'fired' });
  const [err] = await errors;
  assert.match(err.error.message, /severity must be one of info, warning, critical/);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(smtp.mails.length + web.requests.length, 0);
});

test('without an SMTP server the email is written as an .eml file in the data folder', async () => {
  await load(nodes, notifierFlow({}), creds);
  const results = collect('out', 1, 10_000);
  helper.getNode('n1').receive({ payload: alert({ title: 'Folder mail' }), event: 'fired' });
  const [r] = await results;
  assert.equal(r.payload.status, 'sent');
  const dir = path.join(DATA, 'outbox-mail');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.eml'));
  assert.equal(files.length, 1);
  const eml = fs.readFileSync(path.join(dir, files[0]), 'utf8');
  assert.match(eml, /^Subject: \[WARNING\] Folder mail \(fired\)$/m);
  assert.match(eml, /^To: ops@test\.local$/m);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('with no SMTP server and no recipients at all the mail is still kept as .eml; with SMTP it is skipped', async () => {
  await load(nodes, notifierFlow({ notifier: { to: '${NO_SUCH_ALERT_EMAIL_TO}' } }), creds);
  const results = collect('out', 1, 10_000);
  helper.getNode('n1').receive({ payload: alert({ id: 'nobody' }), event: 'fired' });
  assert.equal((await results)[0].payload.status, 'sent');
  const dir = path.join(DATA, 'outbox-mail');
  const eml = fs.readFileSync(path.join(dir, fs.readdirSync(dir)[0]), 'utf8');
  assert.match(eml, /^To: alerts@localhost$/m);
  await helper.unload();

  await load(nodes, notifierFlow({ smtpPort: smtp.port, notifier: { to: '' } }), creds);
  const skipped = collect('out', 1, 10_000);
  helper.getNode('n1').receive({ payload: alert({ id: 'nobody-2' }), event: 'fired' });
  const [r] = await skipped;
  assert.equal(r.payload.status, 'skipped');
  assert.match(r.payload.reason, /no email recipients for warning/);
});

test('a recording thumbnail inside the data folder is attached; one outside is left out with a warning', async () => {
  const thumb = path.join(DATA, 'recordings', 'rec-1.jpg');
  fs.mkdirSync(path.dirname(thumb), { recursive: true });
  fs.writeFileSync(thumb, Buffer.from('fake-jpeg-bytes'));
  await load(nodes, notifierFlow({ smtpPort: smtp.port }), creds);
  const results = collect('out', 2, 15_000);
  helper.getNode('n1').receive({ payload: alert(), event: 'fired', recording: { thumbnail: thumb } });
  helper.getNode('n1').receive({ payload: alert({ id: 'al-9' }), event: 'fired', recording: { thumbnail: '/etc/hostname' } });
  await results;
  await waitFor('two mails', () => smtp.mails.length === 2);
  const withThumb = smtp.mails.find((m) => /rec-1\.jpg/.test(m.raw));
  assert.ok(withThumb, 'thumbnail attached');
  assert.ok(withThumb!.raw.includes(Buffer.from('fake-jpeg-bytes').toString('base64')));
  const other = smtp.mails.find((m) => m !== withThumb)!;
  assert.ok(!/filename=/.test(other.raw), 'file outside the data folder not attached');
});

test('rate limit per rule and channel holds the excess and sends one digest when the window ends', async () => {
  await load(nodes, notifierFlow({ smtpPort: smtp.port, notifier: { rateMax: 2, rateWindowS: 2 } }), creds);
  const results = collect('out', 6, 15_000);
  for (let i = 0; i < 5; i++) helper.getNode('n1').receive({ payload: alert({ id: `al-${i}`, deviceId: `dev-${i}` }), event: 'fired' });
  const got = await results;
  const statuses = got.map((m) => m.payload.status);
  assert.equal(statuses.filter((s) => s === 'held').length, 3);
  assert.equal(statuses.filter((s) => s === 'sent').length, 3, 'two alerts and one digest');
  await waitFor('3 mails', () => smtp.mails.length === 3);
  const digest = smtp.mails.find((m) => /DIGEST/.test(m.headers.subject));
  assert.ok(digest, 'digest mail');
  assert.equal(digest!.headers.subject, '[DIGEST] 3 notifications held back for rule temp-high');
  for (const d of ['dev-2', 'dev-3', 'dev-4']) assert.ok(digest!.raw.includes(d), `digest lists ${d}`);
});

test('event mode posts the payload as is, keyed by msg.idempotencyKey', async () => {
  const flow = notifierFlow({ webhookUrl: `${web.url}/api/events`, notifier: { mode: 'event', email: false } });
  await load(nodes, flow, creds);
  const results = collect('out', 1, 10_000);
  const body = { type: 'motion_detected', device_id: 'raspberry-1', details: { event_id: 'evt-1' } };
  helper.getNode('n1').receive({ payload: body, idempotencyKey: 'evt-1', topic: 'sensor/motion' });
  const [r] = await results;
  assert.equal(r.payload.status, 'sent');
  assert.deepEqual(web.requests[0].json, body);
  assert.equal(web.requests[0].headers['idempotency-key'], 'evt-1');
});

test('status shows retries without the SMTP password from SMTP_URL', async () => {
  const statuses: string[] = [];
  const flow = notifierFlow({ smtp: { url: 'smtp://mailer:S3cretPw99@127.0.0.1:1/' } });
  await load(nodes, flow, creds);
  const n = helper.getNode('n1');
  const orig = n.status.bind(n);
  n.status = (s: { text?: string }) => {
    statuses.push(String(s.text ?? ''));
    orig(s);
  };
  n.receive({ payload: alert(), event: 'fired' });
  await waitFor('a retry status', () => statuses.some((s) => /retrying/.test(s)), 15_000);
  assert.ok(
    statuses.every((s) => !s.includes('S3cretPw99')),
    statuses.join(' | '),
  );
});

test('STARTTLS with auth against a server with a self-signed certificate: sent when verification is off, retried when on', async () => {
  const tlsServer = new SmtpReceiver({ user: 'tls-user', password: 'tls-pass', starttls: true });
  await tlsServer.start();
  try {
    const smtpSettings = { security: 'starttls', verifyTls: false };
    await load(nodes, notifierFlow({ smtpPort: tlsServer.port, smtp: smtpSettings }), { 'smtp-default': { user: 'tls-user', password: 'tls-pass' } });
    const results = collect('out', 1, 15_000);
    helper.getNode('n1').receive({ payload: alert({ id: 'tls-1' }), event: 'fired' });
    const [r] = await results;
    assert.equal(r.payload.status, 'sent');
    assert.equal(tlsServer.mails.length, 1);
    assert.equal(tlsServer.mails[0].secure, true, 'the session was upgraded with STARTTLS');
    assert.equal(tlsServer.mails[0].user, 'tls-user');
    await helper.unload();

    const statuses: string[] = [];
    await load(nodes, notifierFlow({ smtpPort: tlsServer.port, smtp: { security: 'starttls', verifyTls: true } }), {
      'smtp-default': { user: 'tls-user', password: 'tls-pass' },
    });
    const n = helper.getNode('n1');
    const orig = n.status.bind(n);
    n.status = (st: { text?: string }) => {
      statuses.push(String(st.text ?? ''));
      orig(st);
    };
    n.receive({ payload: alert({ id: 'tls-2' }), event: 'fired' });
    await waitFor('a certificate error', () => statuses.some((t) => /retrying: .*(certificate|self.signed)/i.test(t)), 15_000);
    assert.equal(tlsServer.mails.length, 1, 'nothing sent to an unverified server');
    assert.ok(statuses.every((t) => !t.includes('tls-pass')));
  } finally {
    await helper.unload();
    await tlsServer.stop();
  }
});

/** Calls of a spied node method made by one node (the test helper spies status, error, ...). */
function callsOf(nodeId: string, method: 'status' | 'error'): unknown[][] {
  const node = helper.getNode(nodeId);
  return node[method]
    .getCalls()
    .filter((c: { thisValue: unknown }) => c.thisValue === node)
    .map((c: { args: unknown[] }) => c.args);
}

test('settings that fail to parse: red ring, logged once, and every input rejected with that error', async () => {
  const flow = notifierFlow({ webhookUrl: `${web.url}/hook`, notifier: { method: 'GET' } });
  await load(nodes, flow, creds);
  const expected = /method must be POST, PUT or PATCH, got "GET"/;
  assert.deepEqual(
    callsOf('n1', 'status').map(([s]) => (s as { fill?: string; shape?: string }).fill + '/' + (s as { shape?: string }).shape),
    ['red/ring'],
  );
  assert.match(String((callsOf('n1', 'status')[0][0] as { text: string }).text), expected);
  assert.equal(callsOf('n1', 'error').length, 1);
  assert.match(String(callsOf('n1', 'error')[0][0]), expected);
  const errors = collect('errors', 2, 5000);
  helper.getNode('n1').receive({ payload: alert(), event: 'fired' });
  helper.getNode('n1').receive({ topic: 'notifier/retry' });
  for (const e of await errors) assert.match(e.error.message, expected);
  assert.equal(web.requests.length, 0);
});

test('a missing SMTP config node and an outbox that cannot be opened reject inputs with a clear reason', async () => {
  const flow = notifierFlow({ smtpPort: smtp.port }).map((n) => ((n as { id: string }).id === 'n1' ? { ...(n as object), smtp: 'gone' } : n));
  await load(nodes, flow, creds);
  const missing = collect('errors', 1, 5000);
  helper.getNode('n1').receive({ payload: alert(), event: 'fired' });
  assert.match((await missing)[0].error.message, /smtp config node gone not found/);
  await helper.unload();

  fs.writeFileSync(path.join(DATA, 'outbox'), 'a file where the outbox folder goes');
  await load(nodes, notifierFlow({}), creds);
  const blocked = collect('errors', 1, 5000);
  helper.getNode('n1').receive({ payload: alert(), event: 'fired' });
  assert.match((await blocked)[0].error.message, /outbox not usable: .*(ENOTDIR|EEXIST|not a directory)/);
  const last = callsOf('n1', 'status').pop()?.[0] as { fill?: string; text?: string };
  assert.equal(last.fill, 'red');
  assert.match(String(last.text), /outbox not usable/);
});
