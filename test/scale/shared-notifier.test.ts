/**
 * The notifier's shared parts (nodes/alert-notifier/shared-limit.ts,
 * shared-groups.ts) against a real redis-server and a real webhook receiver:
 * two Notifiers with the same node id are two instances. The rate limit is
 * counted once for both, and falls back to each one's own limit (reported)
 * while Redis is away; a storm split over both gives one group.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { Notifier, NotifyResult } from '../../nodes/alert-notifier/notifier';
import { parseConfig } from '../../nodes/alert-notifier/config';
import { SharedRateLimit } from '../../nodes/alert-notifier/shared-limit';
import { SharedGroups } from '../../nodes/alert-notifier/shared-groups';
import { sharedClaim } from '../../nodes/alert-notifier/shared-journal';
import { missing, startRedis, Service, tempDir } from '../support/services';
import { HttpReceiver, waitFor } from '../alert-notifier/receivers';
import { alert } from '../alert-notifier/fixtures';

const skip = missing('redis-server');
let redis: Service;
const hooks = new HttpReceiver();
const clients: Redis[] = [];
const notifiers: Notifier[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  if (skip) return;
  redis = await startRedis();
  await hooks.start();
});
after(async () => {
  for (const n of notifiers) await n.close(500);
  for (const c of clients) c.disconnect();
  await redis?.stop();
  await hooks.stop();
});

let seq = 0;
/** One instance: its own outbox, the shared Redis, the same node id as its peers. */
function instance(nodeId: string, notifier: Record<string, unknown>) {
  const client = new Redis(redis.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 200 });
  client.on('error', () => undefined);
  clients.push(client);
  const results: NotifyResult[] = [];
  const data = tempDir(`shared-notifier-${seq++}`);
  const modes: string[] = [];
  const n = new Notifier({
    cfg: parseConfig({
      mode: 'alert',
      webhook: true,
      url: `${hooks.url}/${nodeId}`,
      email: false,
      retryInitialS: 0.2,
      retryMaxS: 1,
      configVersion: 2,
      ...notifier,
    }),
    dataFolder: data,
    outboxDir: `${data}/outbox`,
    mailFolder: `${data}/mail`,
    smtp: { kind: 'folder', from: 'iot@test.local', describe: 'folder', secrets: [] },
    webhookSecret: '',
    onResult: (r) => results.push(r),
    claim: sharedClaim(client, 'test:', nodeId, `token-${seq}`, () => undefined),
    rateGate: (w) => new SharedRateLimit(client, 'test:', nodeId, w, (mode) => modes.push(mode), 300),
    groupStore: (local) => new SharedGroups(client, 'test:', nodeId, local),
  });
  notifiers.push(n);
  return { n, results, modes };
}
const fired = (i: number, ruleId = 'battery-low') =>
  alert({ id: `${ruleId}:dev-${i}:x`, ruleId, deviceId: `dev-${i}`, title: `Battery low on dev-${i}`, text: `dev-${i} battery 9 < 20` });
const to = (node: string) => hooks.requests.filter((r) => r.url === `/${node}`);

test('the rate limit is counted once over two instances, and falls back to each one while Redis is away', { skip, timeout: 30_000 }, async () => {
  const cfg = { rateMax: 3, rateWindowS: 60, groupWaitS: 0 };
  const [a, b] = [instance('rate', cfg), instance('rate', cfg)];
  await Promise.all([a.n.start(), b.n.start()]);
  await sleep(200);
  const intake: NotifyResult[] = [];
  for (let i = 0; i < 10; i++) {
    intake.push(...(await a.n.accept({ payload: fired(2 * i), event: 'fired' })));
    intake.push(...(await b.n.accept({ payload: fired(2 * i + 1), event: 'fired' })));
  }
  await waitFor('3 webhooks', () => to('rate').length >= 3);
  await sleep(1000);
  const held = intake.filter((r) => r.status === 'held');
  console.log(`# shared rate limit: ${to('rate').length} sent, ${held.length} held over two instances (rateMax 3)`);
  assert.equal(to('rate').length, 3, 'rateMax for both instances together, not per instance');
  assert.equal(held.length, 17);
  assert.deepEqual([a.n.rate.mode, b.n.rate.mode], ['shared', 'shared']);

  // Redis away: each limits alone, nothing waits or is lost, the mode says so.
  await redis.stop();
  await sleep(300);
  const t0 = Date.now();
  const r = await a.n.accept({ payload: fired(100, 'other-rule'), event: 'fired' });
  assert.ok(Date.now() - t0 < 2000, `no wait for Redis (${Date.now() - t0} ms)`);
  assert.equal(r[0].status, 'queued', 'sent under the local limit');
  assert.equal(a.n.rate.mode, 'local');
  assert.deepEqual(a.modes, ['local']);
  await redis.start();
  await sleep(1500);
  await a.n.accept({ payload: fired(101, 'other-rule'), event: 'fired' });
  assert.equal(a.n.rate.mode, 'shared', 'back to the shared count once Redis answers');
});

test('a storm split over two instances gives one group listing every member', { skip, timeout: 30_000 }, async () => {
  const cfg = { rateMax: 10, rateWindowS: 300, groupWaitS: 1, groupIntervalS: 3, groupListMax: 1000 };
  const [a, b] = [instance('storm', cfg), instance('storm', cfg)];
  await Promise.all([a.n.start(), b.n.start()]);
  await sleep(200);
  await Promise.all(Array.from({ length: 1000 }, (_, i) => (i % 2 ? a : b).n.accept({ payload: fired(i), event: 'fired' })));
  await waitFor('the group webhook', () => to('storm').length >= 1);
  await sleep(2500);
  const bodies = to('storm').map((r) => r.json as { event: string; count: number; alerts: Array<{ deviceId: string }> });
  console.log(`# storm over two instances: ${bodies.map((x) => `${x.event} of ${x.count}`).join(', ')}`);
  assert.equal(bodies.length, 1, 'one notification for the storm, not one per instance');
  assert.equal(bodies[0].event, 'group');
  assert.equal(bodies[0].count, 1000);
  assert.equal(new Set(bodies[0].alerts.map((x) => x.deviceId)).size, 1000, 'every device listed');
  // Late members of the same storm go out together in one follow-up after the interval, from either instance.
  await a.n.accept({ payload: fired(1000), event: 'fired' });
  await b.n.accept({ payload: fired(1001), event: 'fired' });
  await waitFor('the follow-up', () => to('storm').length >= 2, 10_000);
  await sleep(1000);
  assert.equal(to('storm').length, 2);
  const follow = to('storm')[1].json as { count: number; seq: number };
  assert.deepEqual([follow.count, follow.seq], [2, 1]);
});
