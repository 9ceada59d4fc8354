/** The email channel: addresses, attachments kept inside the data folder, SMTP error classes, Message-IDs, and EmailSender into a folder and to a real SMTP server. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DeliveryError } from '../../nodes/alert-notifier/delivery';
import { classifySmtpError, collectAttachments, EmailSender, MAX_ATTACHMENT_BYTES, messageId, splitAddresses } from '../../nodes/alert-notifier/email';
import { newItemId, OutboxItem } from '../../nodes/alert-notifier/outbox';
import { hashKey } from '../../nodes/alert-notifier/signing';
import { tempDir } from '../support/services';
import { SmtpReceiver, waitFor } from './receivers';

const dirs: string[] = [];
const dir = (p: string): string => {
  const d = tempDir(p);
  dirs.push(d);
  return d;
};
const smtp = new SmtpReceiver();
before(() => smtp.start());
after(async () => {
  await smtp.stop();
  dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
});

function item(over: Partial<OutboxItem['email']> = {}, key = 'k-1'): OutboxItem {
  const now = Date.now();
  return {
    id: newItemId(now, 'email'),
    channel: 'email',
    key,
    kind: 'alert',
    createdAt: now,
    attempts: 0,
    nextAt: now,
    ref: {},
    email: { to: ['ops@test.local'], subject: 'Hot', text: 'It is hot', html: '<p>It is hot</p>', ...over },
  };
}

test('splitAddresses splits on commas, semicolons and spaces', () => {
  assert.deepEqual(splitAddresses(' a@x, b@x;c@x  d@x ,'), ['a@x', 'b@x', 'c@x', 'd@x']);
  assert.deepEqual(splitAddresses(''), []);
});

test('collectAttachments: paths inside the data folder, inline content, the thumbnail', () => {
  const data = dir('email-data');
  fs.writeFileSync(path.join(data, 'clip.jpg'), 'jpeg');
  const out = collectAttachments(
    [{ path: 'clip.jpg', filename: 'x.jpg', contentType: 'image/jpeg' }, { content: 'hello', filename: 'a.txt' }, { content: Buffer.from([1, 2]) }],
    'clip.jpg',
    data,
  );
  const real = fs.realpathSync(path.join(data, 'clip.jpg'));
  assert.deepEqual(out, [
    { filename: 'x.jpg', path: real, contentType: 'image/jpeg' },
    { filename: 'a.txt', contentBase64: Buffer.from('hello').toString('base64'), contentType: undefined },
    { filename: 'attachment.bin', contentBase64: 'AQI=', contentType: undefined },
    { filename: 'clip.jpg', path: real, contentType: 'image/jpeg' },
  ]);
  assert.deepEqual(collectAttachments(undefined, undefined, data), []);
  assert.equal(collectAttachments({ content: 'one' }, '', data).length, 1, 'a single object is a list of one');
});

test('collectAttachments refuses what would leak or overload', () => {
  const data = dir('email-data');
  const outside = dir('email-outside');
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'x');
  fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(data, 'link.txt'));
  fs.mkdirSync(path.join(data, 'sub'));
  const refused: Array<[unknown, RegExp]> = [
    [[{ path: path.join(outside, 'secret.txt') }], /is outside the data folder/],
    [[{ path: '../' + path.basename(outside) + '/secret.txt' }], /is outside the data folder/],
    [[{ path: 'link.txt' }], /is outside the data folder/],
    [[{ path: 'missing.jpg' }], /attachment missing\.jpg does not exist/],
    [[{ path: 'sub' }], /is not a file/],
    [[{ href: 'http://x/y.jpg' }], /by URL \(href\) are not allowed/],
    [['text'], /must hold objects/],
    [[{ filename: 'x' }], /needs a path .* or a content/],
    [[{ content: Buffer.alloc(MAX_ATTACHMENT_BYTES + 1), filename: 'big' }], /attachment big is larger than/],
    [Array.from({ length: 11 }, () => ({ content: 'x' })), /at most 10 attachments, got 11/],
  ];
  for (const [raw, re] of refused) assert.throws(() => collectAttachments(raw, undefined, data), re, JSON.stringify(raw).slice(0, 80));
});

test('classifySmtpError: 5xx and envelope errors are permanent, 4xx, auth and network are retried', () => {
  const cases: Array<[unknown, boolean]> = [
    [{ message: '550 no such user', responseCode: 550 }, true],
    [{ message: 'bad envelope', code: 'EENVELOPE' }, true],
    [{ message: '535 auth failed', responseCode: 535 }, false],
    [{ message: '530 auth required', responseCode: 530 }, false],
    [{ message: '451 try later', responseCode: 451 }, false],
    [{ message: 'connect ECONNREFUSED', code: 'ECONNECTION' }, false],
  ];
  for (const [err, permanent] of cases) {
    const e = classifySmtpError(err);
    assert.ok(e instanceof DeliveryError);
    assert.equal(e.permanent, permanent, JSON.stringify(err));
    assert.equal(e.message, (err as { message: string }).message);
  }
  assert.equal(classifySmtpError('plain text').message, 'plain text');
});

test('messageId is stable, uses a hex key as is and hashes any other', () => {
  const hex = 'ab'.repeat(32);
  assert.equal(messageId(hex), `<${hex.slice(0, 40)}@iot-notifier.local>`);
  assert.equal(messageId('my key <with> spaces'), `<${hashKey('my key <with> spaces').slice(0, 40)}@iot-notifier.local>`);
  assert.equal(messageId('a'), messageId('a'));
  assert.notEqual(messageId('a'), messageId('b'));
});

test('EmailSender into a folder: one .eml per item, written once, a vanished attachment noted', async () => {
  const mail = path.join(dir('email-folder'), 'mail');
  const sender = new EmailSender({ kind: 'folder', from: 'me@test.local', describe: '', secrets: [] }, mail);
  const it = item({ attachments: [{ filename: 'gone.jpg', path: path.join(mail, '..', 'gone.jpg') }] });
  const file = await sender.send(it);
  assert.equal(file, path.join(mail, `${it.id}.eml`));
  const eml = fs.readFileSync(file!, 'utf8');
  assert.match(eml, /^From: me@test\.local$/m);
  assert.match(eml, /^To: ops@test\.local$/m);
  assert.match(eml, /^X-Idempotency-Key: k-1$/m);
  assert.ok(eml.includes(`Message-ID: ${messageId('k-1')}`));
  assert.match(eml, /\(no longer available: gone\.jpg\)/);
  fs.writeFileSync(file!, 'kept');
  assert.equal(await sender.send(it), file);
  assert.equal(fs.readFileSync(file!, 'utf8'), 'kept', 'a retried item does not write it again');
  sender.close();
});

test('EmailSender refuses items it cannot send, permanently', async () => {
  const sender = new EmailSender({ kind: 'folder', from: 'me@x', describe: '', secrets: [] }, dir('email-folder'));
  await assert.rejects(
    sender.send({ ...item(), email: undefined }),
    (e: unknown) => e instanceof DeliveryError && e.permanent && /no email part/.test(e.message),
  );
  await assert.rejects(sender.send(item({ to: [] })), (e: unknown) => e instanceof DeliveryError && e.permanent && /no recipients/.test(e.message));
  sender.close();
});

test('EmailSender over SMTP: delivered with its Message-ID and inline attachment; a dead server is a retryable error', async () => {
  const target = {
    kind: 'smtp' as const,
    from: 'me@test.local',
    describe: '',
    secrets: [],
    options: { host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true },
  };
  const sender = new EmailSender(target, dir('email-unused'));
  const before = smtp.mails.length;
  const reply = await sender.send(item({ attachments: [{ filename: 'a.txt', contentBase64: Buffer.from('attached words').toString('base64') }] }, 'k-smtp'));
  assert.match(reply ?? '', /^250 /);
  await waitFor('the mail', () => smtp.mails.length === before + 1);
  const got = smtp.mails[smtp.mails.length - 1];
  assert.deepEqual(got.to, ['ops@test.local']);
  assert.equal(got.headers['message-id'], messageId('k-smtp'));
  assert.ok(got.raw.includes(Buffer.from('attached words').toString('base64')));
  sender.close();
  const dead = new EmailSender({ ...target, options: { ...target.options, port: 1, connectionTimeout: 2000 } }, dir('email-unused'));
  await assert.rejects(dead.send(item()), (e: unknown) => e instanceof DeliveryError && !e.permanent);
  dead.close();
});
