/** The webhook channel: which statuses are retried, Retry-After, and WebhookSender against a real HTTP receiver. */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { DeliveryError } from '../../nodes/alert-notifier/delivery';
import { newItemId, OutboxItem } from '../../nodes/alert-notifier/outbox';
import { signBody } from '../../nodes/alert-notifier/signing';
import { retryableStatus, retryAfterMs, WebhookSender, WebhookTarget } from '../../nodes/alert-notifier/webhook';
import { HttpReceiver } from './receivers';

const web = new HttpReceiver('s3cret');
before(() => web.start());
after(() => web.stop());

function item(body: string | undefined = '{"a":1}', key = 'k-1'): OutboxItem {
  const now = Date.now();
  return {
    id: newItemId(now, 'webhook'),
    channel: 'webhook',
    key,
    kind: 'alert',
    createdAt: now,
    attempts: 0,
    nextAt: now,
    ref: {},
    webhook: body === undefined ? undefined : { body },
  };
}
const target = (over: Partial<WebhookTarget> = {}): WebhookTarget => ({
  url: `${web.url}/hook`,
  method: 'POST',
  headers: { 'X-Test': 'yes' },
  secret: 's3cret',
  timeoutMs: 3000,
  ...over,
});
const failure = (permanent: boolean, re: RegExp, retryAfter?: number) => (e: unknown) =>
  e instanceof DeliveryError && e.permanent === permanent && re.test(e.message) && e.retryAfterMs === retryAfter;

test('retryableStatus: 408, 425, 429 and 5xx only', () => {
  assert.deepEqual([200, 301, 400, 401, 404, 408, 422, 425, 429, 500, 503].filter(retryableStatus), [408, 425, 429, 500, 503]);
});

test('retryAfterMs reads seconds and HTTP dates', () => {
  const now = Date.parse('2024-01-01T00:00:00Z');
  assert.equal(retryAfterMs('120', now), 120_000);
  assert.equal(retryAfterMs(['3', '9'], now), 3000);
  assert.equal(retryAfterMs('Mon, 01 Jan 2024 00:00:30 GMT', now), 30_000);
  assert.equal(retryAfterMs('Sun, 31 Dec 2023 00:00:00 GMT', now), 0, 'a date in the past: at once');
  assert.equal(retryAfterMs('soon', now), undefined);
  assert.equal(retryAfterMs(undefined, now), undefined);
});

test('sends the exact body with its signature, idempotency key and extra headers', async () => {
  web.status = 201;
  const n = web.requests.length;
  assert.equal(await new WebhookSender(target({ method: 'PUT' })).send(item('{"x":"é"}', 'key-42')), 'HTTP 201');
  const r = web.requests[n];
  assert.deepEqual([r.method, r.url, r.body, r.signatureOk], ['PUT', '/hook', '{"x":"é"}', true]);
  assert.equal(r.headers['x-signature'], signBody('{"x":"é"}', 's3cret'));
  assert.equal(r.headers['idempotency-key'], 'key-42');
  assert.equal(r.headers['x-test'], 'yes');
  assert.equal(r.headers['content-type'], 'application/json');
  await new WebhookSender(target({ secret: '' })).send(item());
  assert.equal(web.requests[n + 1].headers['x-signature'], undefined, 'no secret: no signature');
});

test('a refused request is permanent, a busy server retryable', async () => {
  try {
    web.status = 400;
    await assert.rejects(new WebhookSender(target()).send(item()), failure(true, /^HTTP 400 from 127\.0\.0\.1:\d+: \{"ok":true\}$/));
    web.status = 503;
    await assert.rejects(new WebhookSender(target()).send(item()), failure(false, /^HTTP 503/));
  } finally {
    web.status = 201;
  }
});

test('Retry-After of a 429 is passed on; a silent server times out, retryably', async () => {
  const server = http.createServer((req, res) => {
    req.resume();
    if (req.url === '/slow') return; // never answers
    res.writeHead(429, { 'Retry-After': '7' });
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    await assert.rejects(new WebhookSender(target({ url: `${base}/busy` })).send(item()), failure(false, /^HTTP 429 from/, 7000));
    await assert.rejects(
      new WebhookSender(target({ url: `${base}/slow`, timeoutMs: 200 })).send(item()),
      failure(false, /no answer from 127\.0\.0\.1:\d+ within 200 ms/),
    );
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test('a bad URL or a refused connection is retried; an item without a body is not', async () => {
  await assert.rejects(new WebhookSender(target({ url: 'not a url' })).send(item()), failure(false, /webhook URL is not valid/));
  await assert.rejects(new WebhookSender(target({ url: 'http://127.0.0.1:1/' })).send(item()), failure(false, /^ECONNREFUSED /));
  await assert.rejects(new WebhookSender(target()).send({ ...item(), webhook: undefined }), failure(true, /no webhook body/));
});
