/**
 * Alert grouping end to end, against a real SMTP server and a real HTTP
 * receiver: alerts that start together arrive as one email and one webhook
 * with the count and a list; later ones in a follow-up after the group
 * interval; a lone alert as the usual single notification (same key as
 * without grouping); what waits at close is in the outbox after a restart.
 */
import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'fs';
import { tempDir } from '../support/services';

let DATA = tempDir('notifier-group');
const dirs: string[] = [];

import { helper, load, nodeModule } from '../support/red';
import { SmtpReceiver, HttpReceiver, waitFor } from './receivers';
import { alert, notifierFlow } from './fixtures';
import { transitionKey } from '../../nodes/alert-notifier/signing';

const SECRET = 'group-secret';
const smtp = new SmtpReceiver();
const web = new HttpReceiver(SECRET);
const nodes = [nodeModule('alert-notifier'), require('../../nodes/alert-notifier/smtp-config'), require('@node-red/nodes/core/common/25-catch.js')];
const creds = { n1: { secret: SECRET } };
const body = (i: number): any => web.requests[i].json;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  await smtp.start();
  await web.start();
  await new Promise<void>((r) => helper.startServer(() => r()));
});
beforeEach(() => {
  DATA = tempDir('notifier-group');
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

const flow = (notifier: Record<string, unknown>) => notifierFlow({ smtpPort: smtp.port, webhookUrl: `${web.url}/hook`, notifier });
const silent = (i: number, state: 'firing' | 'resolved' = 'firing') =>
  alert({
    id: `device-silent:dev-${i}:x`,
    ruleId: 'device-silent',
    deviceId: `dev-${i}`,
    state,
    title: `Device silent on dev-${i}`,
    text: `no reading from dev-${i}`,
  });

test('300 alerts fired together: one email and one webhook with the count and a list; 5 more in one follow-up', { timeout: 60_000 }, async () => {
  await load(nodes, flow({ groupWaitS: 1, groupIntervalS: 3, groupListMax: 50 }), creds);
  const n1 = helper.getNode('n1');
  for (let i = 0; i < 300; i++) n1.receive({ payload: silent(i), event: 'fired' });
  await sleep(500);
  assert.equal(smtp.mails.length + web.requests.length, 0, 'nothing before the group wait ends');
  await waitFor('the group email and webhook', () => smtp.mails.length >= 1 && web.requests.length >= 1);
  const firstAt = Date.now();
  const mail = smtp.mails[0];
  assert.equal(mail.headers.subject, '[WARNING] 300 alerts fired for rule device-silent');
  assert.match(mail.raw, /dev-0 {2}Device silent on dev-0/);
  assert.match(mail.raw, /and 250 more/);
  const req = web.requests[0];
  assert.equal(req.signatureOk, true);
  assert.match(String(req.headers['idempotency-key']), /^[0-9a-f]{64}$/);
  const b = body(0);
  assert.deepEqual([b.event, b.transition, b.ruleId, b.count, b.seq, b.alerts.length], ['group', 'fired', 'device-silent', 300, 0, 50]);
  assert.equal(b.alerts[49].deviceId, 'dev-49');

  for (let i = 300; i < 305; i++) n1.receive({ payload: silent(i), event: 'fired' });
  await waitFor('the follow-up', () => smtp.mails.length >= 2 && web.requests.length >= 2);
  assert.ok(Date.now() - firstAt >= 2000, 'the follow-up waited for the group interval');
  assert.equal(smtp.mails[1].headers.subject, '[WARNING] 5 more alerts fired for rule device-silent');
  assert.deepEqual([body(1).count, body(1).seq], [5, 1]);
  assert.notEqual(web.requests[1].headers['idempotency-key'], req.headers['idempotency-key']);

  for (let i = 0; i < 300; i++) n1.receive({ payload: silent(i, 'resolved'), event: 'resolved', by: 'system', reason: 'reading received' });
  await waitFor('the resolved group', () => smtp.mails.length >= 3 && web.requests.length >= 3);
  assert.equal(smtp.mails[2].headers.subject, '[WARNING] 300 alerts resolved for rule device-silent');
  await sleep(1500);
  assert.equal(smtp.mails.length, 3, 'exactly three emails for 605 transitions');
  assert.equal(web.requests.length, 3);
});

test('a lone alert goes out as the usual single notification after the group wait, with the same key', { timeout: 30_000 }, async () => {
  await load(nodes, flow({ groupWaitS: 0.5 }), creds);
  const a = alert();
  helper.getNode('n1').receive({ payload: a, event: 'fired' });
  helper.getNode('n1').receive({ payload: a, event: 'fired' });
  await waitFor('mail and webhook', () => smtp.mails.length === 1 && web.requests.length === 1);
  assert.equal(smtp.mails[0].headers.subject, '[WARNING] Temperature high (fired)');
  assert.equal(web.requests[0].headers['idempotency-key'], transitionKey(a));
  assert.deepEqual(web.requests[0].json, { event: 'fired', alert: a, device: { id: a.deviceId, name: null, location: null } });
  await sleep(800);
  assert.equal(smtp.mails.length, 1, 'the copy was a duplicate');
});

test('what waits in a group when the node closes is in the outbox and delivered after the restart', { timeout: 60_000 }, async () => {
  const f = flow({ groupWaitS: 30, retryInitialS: 30, retryMaxS: 60 });
  await web.stop();
  await load(nodes, f, creds);
  for (let i = 0; i < 3; i++) helper.getNode('n1').receive({ payload: silent(i), event: 'fired' });
  await sleep(200);
  await helper.unload();
  assert.equal(web.requests.length, 0);
  await web.start();
  await load(nodes, f, creds);
  await waitFor('the group webhook after the restart', () => web.requests.length === 1 && smtp.mails.length >= 1);
  assert.equal(body(0).count, 3);
});
