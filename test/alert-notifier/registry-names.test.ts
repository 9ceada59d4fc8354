/**
 * alert-notifier with the device registry in global context (`iotRegistry`,
 * as the app seeds it through functionGlobalContext) against a real SMTP
 * server and a real HTTP receiver: the subject, text, HTML and webhook body
 * name the device and its location, for a single alert and for a group; a
 * device not registered reads as before.
 */
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir } from '../support/services';
import { helper, load, nodeModule, collect } from '../support/red';
import { SmtpReceiver, HttpReceiver, waitFor } from './receivers';
import { alert, notifierFlow } from './fixtures';
import { DeviceRegistry } from '../../nodes/common/device-registry';

const smtp = new SmtpReceiver();
const web = new HttpReceiver('k');
const nodes = [nodeModule('alert-notifier'), require('../../nodes/alert-notifier/smtp-config'), require('@node-red/nodes/core/common/25-catch.js')];
const registry = new DeviceRegistry();
registry.set('cam-entrance', { name: 'Front door camera', location: 'Entrance <north>' });

before(async () => {
  await smtp.start();
  await web.start();
  process.env.DATA_DIR = tempDir('notifier-registry');
  helper.settings({ functionGlobalContext: { iotRegistry: registry } });
  await new Promise<void>((r) => helper.startServer(() => r()));
});
afterEach(async () => {
  await helper.unload();
  smtp.mails.length = 0;
  web.requests.length = 0;
});
after(async () => {
  helper.settings({});
  await new Promise<void>((r) => helper.stopServer(() => r()));
  await smtp.stop();
  await web.stop();
});

const creds = { n1: { secret: 'k' } };

test('one alert: subject, text, HTML and webhook carry the name and location', async () => {
  await load(nodes, notifierFlow({ smtpPort: smtp.port, webhookUrl: `${web.url}/hook` }), creds);
  const results = collect('out', 2, 15_000);
  const a = alert({ deviceId: 'cam-entrance', severity: 'critical', title: 'Motion on cam-entrance' });
  helper.getNode('n1').receive({ payload: a, event: 'fired' });
  assert.deepEqual(
    (await results).map((m) => m.payload.status),
    ['sent', 'sent'],
  );
  await waitFor('mail and webhook', () => smtp.mails.length === 1 && web.requests.length === 1);
  const mail = smtp.mails[0];
  assert.equal(mail.headers.subject, '[CRITICAL] Motion on cam-entrance – Front door camera, Entrance <north> (fired)');
  const body = mail.raw.replace(/=\r?\n/g, '').replace(/=C2=B7/g, '·');
  assert.match(body, /Device: Front door camera \(cam-entrance\) · Entrance <north>/);
  assert.match(body, /<td>Front door camera \(cam-entrance\) · Entrance &lt;north&gt;<\/td>/, "the HTML part escapes the registry's text");
  assert.deepEqual(web.requests[0].json, { event: 'fired', alert: a, device: { id: 'cam-entrance', name: 'Front door camera', location: 'Entrance <north>' } });
});

test('a device not registered: the subject reads as before and the webhook has null name and location', async () => {
  await load(nodes, notifierFlow({ smtpPort: smtp.port, webhookUrl: `${web.url}/hook` }), creds);
  const a = alert({ id: 'al-unregistered' }); // a new id: the outbox remembers delivered keys
  helper.getNode('n1').receive({ payload: a, event: 'fired' });
  await waitFor('mail and webhook', () => smtp.mails.length === 1 && web.requests.length === 1);
  assert.equal(smtp.mails[0].headers.subject, '[WARNING] Temperature high (fired)');
  assert.match(smtp.mails[0].raw, /Device: esp32-01\r?\n/);
  assert.deepEqual((web.requests[0].json as any).device, { id: 'esp32-01', name: null, location: null });
});

test('a group: each line and each alert of the webhook names its device', async () => {
  await load(nodes, notifierFlow({ smtpPort: smtp.port, webhookUrl: `${web.url}/hook`, notifier: { groupWaitS: 0.5 } }), creds);
  helper.getNode('n1').receive({ payload: alert({ id: 'g1', deviceId: 'cam-entrance' }), event: 'fired' });
  helper.getNode('n1').receive({ payload: alert({ id: 'g2', deviceId: 'esp32-02' }), event: 'fired' });
  await waitFor('the group mail and webhook', () => smtp.mails.length === 1 && web.requests.length === 1);
  const text = smtp.mails[0].raw.replace(/=\r?\n/g, '').replace(/=C2=B7/g, '·');
  assert.match(text, /Front door camera \(cam-entrance\) · Entrance <north> {2}Temperature high/);
  assert.match(text, /\nesp32-02 {2}Temperature high/);
  const hook = web.requests[0].json as any;
  assert.equal(hook.event, 'group');
  assert.deepEqual(
    hook.alerts.map((x: any) => x.device),
    [
      { id: 'cam-entrance', name: 'Front door camera', location: 'Entrance <north>' },
      { id: 'esp32-02', name: null, location: null },
    ],
  );
});
