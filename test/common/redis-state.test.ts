/** The shared Redis backend: none without REDIS_URL, one connection per process with its health, and which errors mean "Redis is away". */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { healthSnapshot } from '../../nodes/common/health';
import { acquireBackend, isConnectionError, REDIS_HEALTH_ID, releaseBackend } from '../../nodes/common/redis-state';
import { missing, Service, startRedis } from '../support/services';

const skip = missing('redis-server');
let redis: Service | undefined;
before(async () => {
  if (!skip) redis = await startRedis();
});
after(async () => {
  await redis?.stop();
});

test('no REDIS_URL (or a blank one): no backend, nothing reported', () => {
  assert.equal(acquireBackend({}), undefined);
  assert.equal(acquireBackend({ REDIS_URL: '  ' }), undefined);
  assert.equal(healthSnapshot()[REDIS_HEALTH_ID], undefined);
});

test('connection errors are told apart from bad commands', () => {
  for (const m of [
    'Connection is closed.',
    'connect ECONNREFUSED 127.0.0.1:6379',
    "Stream isn't writeable and enableOfflineQueue options is false",
    'LOADING Redis is loading',
  ])
    assert.equal(isConnectionError(new Error(m)), true, m);
  assert.equal(isConnectionError(new Error('WRONGTYPE Operation against a key holding the wrong kind of value')), false);
  assert.equal(isConnectionError('ERR syntax error'), false);
});

test('one shared connection: ready and healthy, prefix from REDIS_PREFIX, closed with its last user', { skip, timeout: 20_000 }, async () => {
  const env = { REDIS_URL: redis!.url, REDIS_PREFIX: 'fleet-a:' };
  const a = acquireBackend(env)!;
  const b = acquireBackend(env)!;
  assert.equal(a, b, 'one connection per process');
  assert.equal(a.prefix, 'fleet-a:');
  for (let i = 0; i < 100 && !a.ready(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(a.ready(), true);
  assert.equal(healthSnapshot()[REDIS_HEALTH_ID]?.ok, true);
  assert.equal(await a.redis.ping(), 'PONG');
  await releaseBackend();
  assert.equal(healthSnapshot()[REDIS_HEALTH_ID]?.ok, true, 'still used by the other user');
  await releaseBackend();
  assert.equal(healthSnapshot()[REDIS_HEALTH_ID], undefined, 'the last release clears the health entry');
  for (let i = 0; i < 100 && a.redis.status !== 'end'; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(a.redis.status, 'end', 'the connection is closed');
});
