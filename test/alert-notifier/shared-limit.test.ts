/** The notifier's rate limit shared through a real redis-server (nodes/alert-notifier/shared-limit.ts): counted once over two instances, per instance (reported) while Redis is away. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NotifyResult } from '../../nodes/alert-notifier/notifier';
import { waitFor } from './receivers';
import { sharedNotifiers } from './shared-support';

const { skip, sleep, instance, fired, to, redis } = sharedNotifiers();

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
  await redis().stop();
  await sleep(300);
  const t0 = Date.now();
  const r = await a.n.accept({ payload: fired(100, 'other-rule'), event: 'fired' });
  assert.ok(Date.now() - t0 < 2000, `no wait for Redis (${Date.now() - t0} ms)`);
  assert.equal(r[0].status, 'queued', 'sent under the local limit');
  assert.equal(a.n.rate.mode, 'local');
  assert.deepEqual(a.modes, ['local']);
  await redis().start();
  await sleep(1500);
  await a.n.accept({ payload: fired(101, 'other-rule'), event: 'fired' });
  assert.equal(a.n.rate.mode, 'shared', 'back to the shared count once Redis answers');
});
