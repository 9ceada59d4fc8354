/** The notification journal shared through a real redis-server (nodes/alert-notifier/shared-journal.ts): one instance sends a key; with Redis away, every instance sends. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { CLAIM_TTL_MS, sharedClaim } from '../../nodes/alert-notifier/shared-journal';
import { missing, startRedis, Service } from '../support/services';

const skip = missing('redis-server');
let redis: Service;
const clients: Redis[] = [];

before(async () => {
  if (!skip) redis = await startRedis();
});
after(async () => {
  for (const c of clients) c.disconnect();
  await redis?.stop();
});

test('the notification journal lets one instance send a key, and the same instance again after a restart', { skip }, async () => {
  const c = new Redis(redis.url);
  clients.push(c);
  const one = sharedClaim(c, 'test:', 'notifier', 'inst-a', () => undefined);
  const two = sharedClaim(c, 'test:', 'notifier', 'inst-b', () => undefined);
  assert.equal(await one('webhook:k1'), true);
  assert.equal(await two('webhook:k1'), false);
  assert.equal(await one('webhook:k1'), true, 'its own claim: a retry from the outbox');
  assert.ok((await c.pttl('test:notified:notifier:webhook:k1')) > 0, 'claims expire');
});

test('claims last CLAIM_TTL_MS; with Redis away the notification is sent (at least once) and the error reported', { skip }, async () => {
  const c = new Redis(redis.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 200 });
  c.on('error', () => undefined);
  clients.push(c);
  const errors: Error[] = [];
  const claim = sharedClaim(c, 'ttl:', 'n', 'inst', (e) => errors.push(e));
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(await claim('email:k2'), true);
  const ttl = await c.pttl('ttl:notified:n:email:k2');
  assert.ok(ttl > CLAIM_TTL_MS - 60_000 && ttl <= CLAIM_TTL_MS, `ttl ${ttl}`);
  assert.equal(errors.length, 0);
  await redis.stop();
  await new Promise((r) => setTimeout(r, 300));
  try {
    assert.equal(await claim('email:k2'), true, 'sent even though another instance might have claimed it');
    assert.equal(errors.length, 1);
  } finally {
    await redis.start();
  }
});
