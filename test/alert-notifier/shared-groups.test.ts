/** Notification groups shared through a real redis-server (nodes/alert-notifier/shared-groups.ts): a storm split over two instances gives one group. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from './receivers';
import { sharedNotifiers } from './shared-support';

const { skip, sleep, instance, fired, to } = sharedNotifiers();

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
