/** NotificationContent: recipients per severity, why a channel cannot be used, rendered email and webhook, attachments. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { parseConfig, DEFAULTS } from '../../nodes/alert-notifier/config';
import { FOLDER_RECIPIENT, NotificationContent } from '../../nodes/alert-notifier/content';
import { alertContext, deviceContext } from '../../nodes/alert-notifier/templates';
import { tempDir } from '../support/services';
import { alert } from './fixtures';

const data = tempDir('content');
after(() => fs.rmSync(data, { recursive: true, force: true }));

const content = (def: Record<string, unknown>, kind: 'smtp' | 'folder' = 'smtp') =>
  new NotificationContent(parseConfig({ ...DEFAULTS, ...def }, {}), { kind }, data);
const ctx = alertContext(alert({ severity: 'critical' }), 'fired', deviceContext('esp32-01'));

test('recipients: the severity list wins over the general one; the .eml folder always has someone', () => {
  const c = content({ to: 'ops@x, b@x', toCritical: 'oncall@x' });
  assert.deepEqual(c.recipients('critical'), ['oncall@x']);
  assert.deepEqual(c.recipients('warning'), ['ops@x', 'b@x']);
  assert.deepEqual(content({ to: '' }).recipients('info'), []);
  assert.deepEqual(content({ to: '' }, 'folder').recipients('info'), [FOLDER_RECIPIENT]);
});

test('unusable names what is missing for a channel, undefined when usable', () => {
  const none = content({ to: '', url: '' });
  assert.match(none.unusable('email', 'warning') ?? '', /no email recipients for warning \(set ALERT_EMAIL_TO/);
  assert.match(none.unusable('webhook', 'warning') ?? '', /no webhook URL \(set WEBHOOK_URL/);
  const ok = content({ to: 'a@x', url: 'http://hook' });
  assert.equal(ok.unusable('email', 'info'), undefined);
  assert.equal(ok.unusable('webhook', 'info'), undefined);
});

test('email: default templates of the mode, or the node own ones', () => {
  const def = content({ to: 'a@x', toCritical: 'oncall@x' }).email(ctx, 'critical');
  assert.deepEqual(def.to, ['oncall@x']);
  assert.equal(def.subject, '[CRITICAL] Temperature high (fired)');
  assert.match(def.text, /^Temperature high\nesp32-01 temperature 31\.5 > 30\n/);
  assert.match(def.html, /^<h2>Temperature high<\/h2>/);
  const own = content({ to: 'a@x', subject: '{{ruleId}}\n!', textTemplate: 'v={{value}}', htmlTemplate: '<b>{{title}}</b>' }).email(ctx, 'info');
  assert.deepEqual([own.subject, own.text, own.html], ['temp-high !', 'v=31.5', '<b>Temperature high</b>']);
});

test('webhook: the default body or the node template, as JSON', () => {
  const body = JSON.parse(content({}).webhook(ctx).body);
  assert.equal(body.event, 'fired');
  assert.equal(body.alert.id, 'al-1');
  assert.deepEqual(body.device, { id: 'esp32-01', name: null, location: null });
  assert.deepEqual(JSON.parse(content({ bodyTemplate: '{"id":"{{id}}","n":1}' }).webhook(ctx).body), { id: 'al-1', n: 1 });
});

test('attachments: none asked, the thumbnail of a recording, a bad one reported and left out', () => {
  fs.writeFileSync(path.join(data, 'thumb.jpg'), 'jpeg');
  const c = content({});
  const bad: unknown[] = [];
  assert.equal(
    c.attachments({}, (e) => bad.push(e)),
    undefined,
  );
  assert.deepEqual(
    c.attachments({ recording: { thumbnail: 'thumb.jpg' } }, (e) => bad.push(e))?.map((a) => [a.filename, a.contentType]),
    [['thumb.jpg', 'image/jpeg']],
  );
  assert.equal(
    c.attachments({ attachments: [{ href: 'http://x' }] }, (e) => bad.push(e)),
    undefined,
  );
  assert.equal(bad.length, 1);
  assert.match(String(bad[0]), /by URL \(href\) are not allowed/);
});
