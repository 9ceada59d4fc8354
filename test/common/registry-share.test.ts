/**
 * RegistryShare (nodes/common/registry-share.ts) against a real redis-server,
 * with in-memory registries and exchanges driven by the test: seeding and
 * adopting, a Redis that lost its data seeded again, the log cut at 2 × max
 * (a reader behind the cut reads the whole hash, deletions included), and
 * local changes never waiting for Redis.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { DeviceRegistry } from '../../nodes/common/device-registry';
import { RegistryShare } from '../../nodes/common/registry-share';
import { missing, startRedis, Service } from '../support/services';

const skip = missing('redis-server');
let redis: Service;
const clients: Redis[] = [];
const shares: RegistryShare[] = [];

before(async () => {
  if (!skip) redis = await startRedis();
});
after(async () => {
  for (const s of shares) s.close();
  for (const c of clients) c.disconnect();
  await redis?.stop();
});

async function client(): Promise<Redis> {
  const c = new Redis(redis.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 200 });
  c.on('error', () => undefined);
  clients.push(c);
  await new Promise((r) => c.once('ready', r));
  return c;
}

/** An instance: an in-memory registry (a journal that counts its lines) with a share that exchanges only when asked. */
async function instance(prefix: string, maxDevices = 100, seed: Record<string, string> = {}) {
  const share = new RegistryShare(await client(), prefix, { maxDevices, intervalMs: 3_600_000, writeDelayMs: 0 });
  shares.push(share);
  const journal = { lines: 0, snapshots: 0 };
  const reg = new DeviceRegistry({ maxDevices }, share.wrap({ change: () => void journal.lines++, replace: () => void journal.snapshots++ }));
  reg.load(Object.entries(seed).map(([id, name]) => ({ id, name })));
  share.attach(reg);
  return { share, reg, journal };
}
const names = (r: DeviceRegistry) => Object.fromEntries(r.list().map((e) => [e.id, e.name]));

test('the first instance seeds an empty Redis from its registry; the next adopts it, dropping what Redis does not have', { skip }, async () => {
  const a = await instance('u1:', 100, { 'dev-1': 'One', 'dev-2': 'Two' });
  const b = await instance('u1:', 100, { 'dev-3': 'Local only' });
  await a.share.exchange();
  await b.share.exchange();
  assert.ok(a.share.synced && b.share.synced);
  assert.deepEqual(names(b.reg), { 'dev-1': 'One', 'dev-2': 'Two' });
  assert.equal(b.journal.lines, 3, 'what B took was saved in its journal (2 added, 1 removed)');
  b.reg.set('dev-4', { name: 'Four' });
  await b.share.exchange();
  await a.share.exchange();
  assert.equal(a.reg.get('dev-4')?.name, 'Four');
  assert.equal(a.journal.lines, 1, 'saved once on A');
  await a.share.exchange();
  await b.share.exchange();
  assert.equal(b.share.counts.applied, 3, 'not read back by the instance that wrote it');
});

test('a Redis that lost the registry is seeded again, and the instances follow the new epoch', { skip }, async () => {
  const a = await instance('u2:');
  const b = await instance('u2:');
  await a.share.exchange();
  await b.share.exchange();
  a.reg.set('dev-1', { name: 'One' });
  a.reg.set('dev-2', { name: 'Two' });
  await a.share.exchange();
  await b.share.exchange();
  assert.equal(b.reg.size, 2);
  const probe = clients[0];
  for (const k of await probe.keys('u2:*')) await probe.del(k);
  // B changes a device first: its write finds no registry, so B seeds Redis from its own.
  b.reg.set('dev-3', { name: 'Three' });
  await b.share.exchange();
  assert.equal(await probe.hlen('u2:registry'), 3);
  a.reg.delete('dev-1');
  await a.share.exchange();
  await b.share.exchange();
  assert.deepEqual(names(a.reg), { 'dev-2': 'Two', 'dev-3': 'Three' });
  assert.deepEqual(names(b.reg), { 'dev-2': 'Two', 'dev-3': 'Three' });
});

test('the log stays under 2 × max; a reader behind its cut reads the whole registry', { skip }, async () => {
  const a = await instance('u3:', 10);
  const b = await instance('u3:', 10);
  await a.share.exchange();
  await b.share.exchange();
  for (let i = 0; i < 8; i++) a.reg.set(`dev-${i}`, { name: `D${i}` });
  await a.share.exchange();
  await b.share.exchange();
  assert.equal(b.reg.size, 8);
  // 40 short-lived devices: 40 ids in the log, more than 2 × 10; dev-0 goes too.
  for (let i = 100; i < 140; i++) {
    a.reg.set(`dev-${i}`, { name: 'tmp' });
    a.reg.delete(`dev-${i}`);
    if (i % 10 === 9) await a.share.exchange();
  }
  a.reg.delete('dev-0');
  await a.share.exchange();
  const probe = clients[0];
  assert.ok((await probe.zcard('u3:registry:log')) <= 20, 'the log is cut');
  assert.ok(Number(await probe.get('u3:registry:floor')) > 8);
  await b.share.exchange();
  assert.equal(b.reg.get('dev-0'), undefined, 'a deletion cut from the log still reaches B');
  assert.equal(b.reg.size, 7);

  // More changes than the queue keeps (2 × max) before an exchange: the whole registry is written.
  for (let i = 200; i < 230; i++) {
    a.reg.set(`dev-${i}`, { name: 'tmp' });
    a.reg.delete(`dev-${i}`);
  }
  a.reg.delete('dev-1');
  a.reg.set('dev-9', { name: 'Nine' });
  assert.equal(a.share.counts.overflows, 1);
  await a.share.exchange();
  await b.share.exchange();
  assert.deepEqual(names(b.reg), names(a.reg));
  assert.equal(b.reg.get('dev-1'), undefined);
  assert.equal(b.reg.get('dev-9')?.name, 'Nine');
});

test('Redis away: local changes do not wait and are written once it answers', { skip, timeout: 20_000 }, async () => {
  const a = await instance('u4:');
  const b = await instance('u4:');
  await a.share.exchange();
  await b.share.exchange();
  await redis.stop();
  for (let i = 0; i < 30; i++) a.reg.set(`dev-${i}`, { name: `D${i}` });
  assert.equal(a.reg.size, 30);
  await a.share.exchange();
  assert.ok(a.share.counts.failures > 0);
  await redis.start();
  const end = Date.now() + 10_000;
  while (b.reg.size < 30 && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 200));
    await a.share.exchange();
    await b.share.exchange();
  }
  assert.equal(b.reg.size, 30);
  assert.ok(b.journal.snapshots >= 1, 'many changes at once are taken as one import');
});
