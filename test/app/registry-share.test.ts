/**
 * The device registry shared through a real redis-server (app/registry-share.ts
 * over nodes/common/registry-share.ts): two instances, each with its own data
 * folder (snapshot and journal), on one Redis. A change, a delete and an import
 * on one appear on the other within about a second; the bound holds in Redis;
 * restarts keep everything; while Redis is away changes are kept and shared
 * once it is back.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openSharedRegistry } from '../../app/registry-share';
import { missing, Service, startRedis, tempDir } from '../support/services';
import Redis from 'ioredis';

const skip = missing('redis-server');
let redis: Service | undefined;
before(async () => {
  if (!skip) redis = await startRedis();
});
after(async () => {
  await redis?.stop();
});

const quiet = (): void => undefined;
type Opened = ReturnType<typeof openSharedRegistry>;

/** Waits until `ok()` holds, at most `ms`; returns the time it took. */
async function within(ms: number, ok: () => boolean, what: string): Promise<number> {
  const start = Date.now();
  while (!ok()) {
    if (Date.now() - start > ms) assert.fail(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - start;
}

/** Two instances on one Redis, both in step with it (seeded or adopted) before the test changes anything. */
async function pair(prefix: string, max = 1000, dirs = [tempDir('reg-a'), tempDir('reg-b')]): Promise<{ a: Opened; b: Opened; dirs: string[] }> {
  const env = { REDIS_URL: redis!.url, REDIS_PREFIX: prefix };
  const a = openSharedRegistry(env, dirs[0], max, quiet);
  const b = openSharedRegistry(env, dirs[1], max, quiet);
  await within(3000, () => !!a.share?.synced && !!b.share?.synced, 'both instances in step with Redis');
  return { a, b, dirs };
}

test('without REDIS_URL the registry stays local', async () => {
  const x = openSharedRegistry({}, tempDir('reg-off'), 10, quiet);
  assert.equal(x.share, undefined);
  x.registry.set('dev-1', { name: 'One' });
  assert.equal(x.registry.get('dev-1')?.name, 'One');
  await x.close();
});

test('a change and a delete on one instance appear on the other within 2 s', { skip, timeout: 20_000 }, async (t) => {
  const { a, b } = await pair('t1:');
  try {
    a.registry.set('cam-1', { name: 'Front door', location: 'Entrance', type: 'camera', owner: 'ops' });
    const version = b.registry.version;
    t.diagnostic(`change A -> B: ${await within(2000, () => b.registry.get('cam-1')?.name === 'Front door', 'the change reached B')} ms`);
    assert.deepEqual(b.registry.get('cam-1'), { id: 'cam-1', name: 'Front door', location: 'Entrance', type: 'camera', owner: 'ops' });
    assert.ok(b.registry.version > version, 'B bumped its version (the dashboard resends tiles)');
    b.registry.set('cam-1', { location: 'Hall' }, false);
    await within(2000, () => a.registry.get('cam-1')?.location === 'Hall', 'B’s change reached A');
    assert.equal(a.registry.get('cam-1')?.name, 'Front door');
    assert.ok(a.registry.delete('cam-1'));
    t.diagnostic(`delete A -> B: ${await within(2000, () => b.registry.get('cam-1') === undefined, 'the delete reached B')} ms`);
    assert.equal(a.share!.counts.applied, 1, 'A applied only B’s change, not its own writes read back');
  } finally {
    await a.close();
    await b.close();
  }
});

test('an import of 100 devices on one instance appears on the other, and survives restarts', { skip, timeout: 30_000 }, async (t) => {
  const { a, b, dirs } = await pair('t2:');
  try {
    const rows = Array.from({ length: 100 }, (_, i) => ({ row: i + 1, value: { id: `dev-${i}`, name: `Device ${i}`, location: `Room ${i % 7}` } }));
    assert.equal(a.registry.import(rows).added, 100);
    t.diagnostic(`import of 100 A -> B: ${await within(2000, () => b.registry.size === 100, 'the import reached B')} ms`);
    assert.equal(b.registry.get('dev-42')?.location, 'Room 0');
  } finally {
    await a.close();
    await b.close();
  }
  // B restarts from its own files (Redis untouched): the shared changes were journaled there too.
  const env = { REDIS_URL: redis!.url, REDIS_PREFIX: 't2:' };
  const b2 = openSharedRegistry(env, dirs[1], 1000, quiet);
  const c = openSharedRegistry(env, tempDir('reg-c'), 1000, quiet);
  try {
    assert.equal(b2.registry.size, 100, 'B kept them in its data folder');
    await within(2000, () => c.registry.size === 100, 'a new instance adopts Redis’s registry');
    assert.equal(c.registry.get('dev-99')?.name, 'Device 99');
  } finally {
    await b2.close();
    await c.close();
  }
});

test('the registry in Redis is bounded by REGISTRY_MAX_DEVICES', { skip, timeout: 20_000 }, async () => {
  const { a, b } = await pair('t3:', 50);
  const probe = new Redis(redis!.url);
  try {
    const rows = (from: number) => Array.from({ length: 40 }, (_, i) => ({ row: i + 1, value: { id: `dev-${from + i}`, name: `D${from + i}` } }));
    // Both fill their own registry at once: Redis keeps at most 50, each instance at most 50.
    a.registry.import(rows(0));
    b.registry.import(rows(1000));
    await within(3000, () => a.registry.size === 50 && b.registry.size === 50, 'both instances hold 50 devices');
    assert.equal(await probe.hlen('t3:registry'), 50);
    assert.ok(a.share!.counts.refused + b.share!.counts.refused > 0, 'what the bound refused is counted');
  } finally {
    probe.disconnect();
    await a.close();
    await b.close();
  }
});

test('Redis away: a change is accepted locally and reaches the other instance after Redis is back', { skip, timeout: 40_000 }, async () => {
  const { a, b } = await pair('t4:');
  try {
    a.registry.set('dev-1', { name: 'Before' });
    a.registry.set('dev-2', { name: 'Doomed' });
    await within(2000, () => b.registry.size === 2, 'the first changes reached B');
    await redis!.stop();
    a.registry.set('dev-1', { name: 'During the outage' });
    assert.equal(a.registry.get('dev-1')?.name, 'During the outage', 'accepted locally');
    assert.ok(a.registry.delete('dev-2'));
    await new Promise((r) => setTimeout(r, 1500));
    assert.ok(a.share!.counts.failures > 0, 'the exchange failed and said so');
    assert.equal(b.registry.get('dev-1')?.name, 'Before');
    // This Redis keeps nothing across a restart (no persistence): the instances seed it again.
    await redis!.start();
    await within(10_000, () => b.registry.get('dev-1')?.name === 'During the outage' && !b.registry.get('dev-2'), 'the change and the delete reached B');
    assert.equal(a.registry.get('dev-1')?.name, 'During the outage', 'and A kept its change');
  } finally {
    await a.close();
    await b.close();
  }
});
