/**
 * The dashboard's fleet state shared through a real redis-server
 * (nodes/common/fleet-share.ts with dashboards/src/functions/device-state.js as
 * shipped): two instances, each getting half the fleet's readings, both show
 * every device with its newest values; the share is bounded; while Redis is
 * away each shows its own devices and nothing waits.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { FleetShare } from '../../nodes/common/fleet-share';
import { functionNode } from '../dashboard/flow-functions';
import { missing, startRedis, Service } from '../support/services';

const skip = missing('redis-server');
let redis: Service;
const clients: Redis[] = [];
const shares: FleetShare[] = [];

before(async () => {
  if (!skip) redis = await startRedis();
});
after(async () => {
  for (const s of shares) s.close();
  for (const c of clients) c.disconnect();
  await redis?.stop();
});

async function instance(name: string, prefix: string, maxDevices = 10_000) {
  const client = new Redis(redis.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 200 });
  client.on('error', () => undefined);
  clients.push(client);
  await new Promise((r) => client.once('ready', r));
  const errors: string[] = [];
  const share = new FleetShare(client, prefix, { maxDevices, ttlMs: 3_600_000, instance: name, intervalMs: 3_600_000, onError: (e) => errors.push(e.message) });
  shares.push(share);
  const run = functionNode('fn-device-state', { global: new Map<string, unknown>([['iotFleetShare', share]]) });
  return { share, run, errors };
}
const reading = (deviceId: string, metrics: Record<string, number>, ts = Date.now()) => ({
  topic: 'readings',
  payload: { deviceId, sensorType: 'environmental', ts, received: Date.now(), metrics, units: { temperature: '°C' } },
});
const tick = { topic: 'tick', payload: 0 };
const devices = (run: ReturnType<typeof functionNode>) => (run.flow.get('fleet') as { devices: Map<string, any> }).devices;
/** One tick on each side with an exchange between: offer, write, read, adopt. */
async function round(...xs: Array<Awaited<ReturnType<typeof instance>>>): Promise<void> {
  for (const x of xs) x.run(tick);
  for (const x of xs) await x.share.exchange();
  for (const x of xs) await x.share.exchange();
  for (const x of xs) x.run(tick);
}

test('two instances with half the readings each both show the whole fleet, newest value per metric', { skip }, async () => {
  const [a, b] = [await instance('a', 'f1:'), await instance('b', 'f1:')];
  for (let i = 0; i < 1000; i++) (i % 2 ? a : b).run(reading(`dev-${i}`, { temperature: i, battery: 50 }, 1000 + i));
  // dev-0 reaches both: the newer reading (on a) wins everywhere; b's older battery stays.
  a.run(reading('dev-0', { temperature: 99 }, 5000));
  await round(a, b);
  for (const x of [a, b]) {
    const d = devices(x.run);
    assert.equal(d.size, 1000, 'every device on each instance');
    assert.equal(d.get('dev-0').metrics.temperature.v, 99);
    assert.equal(d.get('dev-0').metrics.battery.v, 50);
    assert.equal(d.get('dev-7').metrics.temperature.v, 7);
  }
  // The tiles (output 1) count the whole fleet.
  a.run(reading('dev-1', { temperature: -1 }, 6000));
  a.run(tick);
  await a.share.exchange();
  await b.share.exchange();
  const [out] = b.run(tick) as any[];
  assert.equal(out.payload.total, 1000);
  assert.equal(devices(b.run).get('dev-1').metrics.temperature.v, -1, 'a later value arrives at the next tick');
});

test('the shared fleet is bounded (DASHBOARD_MAX_DEVICES) and Redis away costs nothing on the way of a reading', { skip }, async () => {
  const [a, b] = [await instance('a', 'f2:', 50), await instance('b', 'f2:', 50)];
  for (let i = 0; i < 80; i++) a.run(reading(`dev-${i}`, { temperature: i }));
  await round(a, b);
  const probe = clients[clients.length - 1];
  assert.equal(await probe.hlen('f2:fleet:data'), 50, 'Redis keeps at most maxDevices');
  assert.ok((await probe.pttl('f2:fleet:data')) > 0, 'and lets them expire');
  assert.equal(devices(b.run).size, 50);

  // Redis away: readings and ticks go on (offer and take only touch memory), the exchange reports.
  await redis.stop();
  for (let i = 0; i < 100; i++) a.run(reading(`dev-${i % 40}`, { temperature: i }));
  const [out] = a.run(tick) as any[];
  assert.equal(out.payload.total, 80, 'its own devices, as before');
  await a.share.exchange();
  assert.ok(a.errors.length > 0, 'the exchange failed and said so');
  await redis.start();
  await new Promise((r) => setTimeout(r, 1500));
  await a.share.exchange();
  await b.share.exchange();
  b.run(tick);
  assert.equal(devices(b.run).get('dev-39').metrics.temperature.v, 79, 'what was offered while Redis was away is shared once it is back');
});
