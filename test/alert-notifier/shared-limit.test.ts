/**
 * The notifier's rate limit shared through a real redis-server (nodes/alert-notifier/shared-limit.ts):
 * counted once over two instances, what it holds digested once per window, and per instance
 * (reported) while Redis is away.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import type { NotifyResult } from '../../nodes/alert-notifier/notifier';
import { DigestWindow, MAX_HELD_DETAIL } from '../../nodes/alert-notifier/digest-window';
import { SharedRateLimit } from '../../nodes/alert-notifier/shared-limit';
import { waitFor } from './receivers';
import { sharedNotifiers } from './shared-support';

const { skip, sleep, instance, fired, to, mails, redis } = sharedNotifiers();

type Body = { event: string; count?: number; windowStart?: number; held?: Array<{ deviceId: string }>; alert?: { deviceId: string } };
const bodies = (node: string) => to(node).map((r) => r.json as Body);

test('what the shared count holds over two instances goes out in one digest per window and channel', { skip, timeout: 40_000 }, async () => {
  const cfg = { rateMax: 2, rateWindowS: 2, groupWaitS: 0, email: true };
  const [a, b] = [instance('digest', cfg), instance('digest', cfg)];
  await Promise.all([a.n.start(), b.n.start()]);
  await sleep(200);
  // A burst spread over both instances: 12 alerts, 2 per channel sent, 10 held.
  const intake = (await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).n.accept({ payload: fired(i), event: 'fired' })))).flat();
  assert.equal(intake.filter((r) => r.status === 'held').length, 20);
  await waitFor('the digests', () => bodies('digest').length >= 3 && mails('digest').length >= 3, 15_000);
  await sleep(1500);
  const digests = bodies('digest').filter((x) => x.event === 'digest');
  console.log(
    `# held over two instances: webhook digests ${digests.map((d) => d.count).join(', ')}; mails ${mails('digest')
      .map((m) => m.headers.subject)
      .join(' / ')}`,
  );
  assert.equal(digests.length, 1, 'one webhook digest for the window, not one per instance');
  assert.equal(digests[0].count, 10);
  const listed = new Set(digests[0].held!.map((h) => h.deviceId));
  assert.equal(listed.size, 10, 'every held alert listed once');
  const sent = bodies('digest').filter((x) => x.event === 'fired');
  assert.equal(sent.length, 2);
  for (const s of sent) listed.add(s.alert!.deviceId);
  assert.equal(listed.size, 12, 'nothing lost: every alert sent or in the digest');
  assert.ok([...listed].some((d) => Number(d.slice(4)) % 2) && [...listed].some((d) => Number(d.slice(4)) % 2 === 0));
  const digestMails = mails('digest').filter((m) => /DIGEST/.test(m.headers.subject));
  assert.equal(mails('digest').length, 3, '2 alerts and one digest mail');
  assert.equal(digestMails.length, 1, 'one digest mail for the window');
  assert.equal(digestMails[0].headers.subject, '[DIGEST] 10 notifications held back for rule battery-low');

  // The next window has its own single digest; nothing of the first is left in Redis.
  const check = new Redis(redis().url);
  try {
    const next = (await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? b : a).n.accept({ payload: fired(100 + i), event: 'fired' })))).flat();
    assert.equal(next.filter((r) => r.status === 'held' && r.channel === 'webhook').length, 4);
    await waitFor('the second digest', () => bodies('digest').filter((x) => x.event === 'digest').length >= 2, 15_000);
    await sleep(1500);
    const second = bodies('digest').filter((x) => x.event === 'digest');
    assert.equal(second.length, 2);
    assert.equal(second[1].count, 4);
    assert.notEqual(second[1].windowStart, second[0].windowStart);
    assert.equal(new Set(to('digest').map((r) => String(r.headers['idempotency-key']))).size, to('digest').length, 'each digest has its own key');
    assert.deepEqual(await check.keys('test:rate:digest:*'), [], 'counters, window starts and held batches gone once taken');
  } finally {
    check.disconnect();
  }
});

test('a batch whose instance died before its window ended is sent by another instance, after the grace', { skip, timeout: 40_000 }, async () => {
  const cfg = { rateMax: 2, rateWindowS: 2, groupWaitS: 0 };
  const [a, b] = [instance('orphan', cfg), instance('orphan', cfg)];
  await Promise.all([a.n.start(), b.n.start()]);
  await sleep(200);
  const intake = (await Promise.all(Array.from({ length: 5 }, (_, i) => a.n.accept({ payload: fired(i), event: 'fired' })))).flat();
  assert.equal(intake.filter((r) => r.status === 'held').length, 3);
  // A dies (kill -9) inside the window: no close, no flush, its Redis connection gone. B had nothing refused.
  a.client.disconnect();
  const check = new Redis(redis().url);
  try {
    const start = Number(await check.get('test:rate:orphan:battery-low|webhook:start'));
    await sleep(start + 2000 + 2000 - Date.now());
    assert.equal(bodies('orphan').filter((x) => x.event === 'digest').length, 0, 'within the grace the batch is left to its holders');
    await waitFor('the digest from the other instance', () => bodies('orphan').some((x) => x.event === 'digest'), 15_000);
    await sleep(1500);
    const digests = bodies('orphan').filter((x) => x.event === 'digest');
    assert.equal(digests.length, 1);
    assert.deepEqual([digests[0].count, digests[0].windowStart], [3, start]);
    const sent = b.results.find((r) => 'kind' in r && r.kind === 'digest' && r.status === 'sent');
    assert.ok(sent && 'createdAt' in sent, 'sent by B');
    console.log(
      `# instance died in its window: its digest (count ${digests[0].count}) taken by the other ${sent.createdAt - start - 2000} ms after the window`,
    );
    assert.ok(sent.createdAt >= start + 2000 + 5000, `taken once the window ended plus the grace (${sent.createdAt - start - 2000} ms after)`);
    const seen = new Set([...digests[0].held!.map((h) => h.deviceId), ...bodies('orphan').flatMap((x) => (x.alert ? [x.alert.deviceId] : []))]);
    assert.equal(seen.size, 5, 'every alert sent or in the digest');
    assert.deepEqual(await check.keys('test:rate:orphan:*'), [], 'the batch and the pending set are gone once taken');
  } finally {
    check.disconnect();
  }
});

test('Redis away: each instance holds and digests alone, nothing lost', { skip, timeout: 40_000 }, async () => {
  const cfg = { rateMax: 2, rateWindowS: 2, groupWaitS: 0 };
  const [a, b] = [instance('alone', cfg), instance('alone', cfg)];
  await Promise.all([a.n.start(), b.n.start()]);
  await sleep(200);
  await redis().stop();
  try {
    await sleep(300);
    for (let i = 0; i < 10; i++) await (i % 2 ? a : b).n.accept({ payload: fired(i), event: 'fired' });
    assert.deepEqual([a.n.rate.mode, b.n.rate.mode], ['local', 'local']);
    await waitFor('4 alerts and 2 digests', () => to('alone').length >= 6, 15_000);
    await sleep(1500);
    const digests = bodies('alone').filter((x) => x.event === 'digest');
    assert.deepEqual(
      digests.map((d) => d.count),
      [3, 3],
      'one digest per instance, each with what it held',
    );
    const seen = new Set([...digests.flatMap((d) => d.held!.map((h) => h.deviceId)), ...bodies('alone').flatMap((x) => (x.alert ? [x.alert.deviceId] : []))]);
    assert.equal(seen.size, 10, 'every alert sent or digested');
  } finally {
    await redis().start();
    await sleep(1000);
  }
});

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

test(
  'the shared batch: taken once, in parts when an instance closes early, an ended window handed on, the count exact past the detail',
  { skip, timeout: 30_000 },
  async () => {
    const W = 800;
    const clients = [new Redis(redis().url), new Redis(redis().url)];
    const [a, b] = clients.map((c) => new SharedRateLimit(c, 'unit:', 'n1', new DigestWindow(1, W)));
    const s = (i: number) => ({ deviceId: `d${i}`, event: 'fired', severity: 'warning', at: Date.now() });
    const take = (g: SharedRateLimit, i: number) => g.take('r|webhook', s(i), Date.now());
    try {
      // One window over both: the first instance to look takes the batch; the detail is capped, the count is not.
      assert.equal(await take(a, 0), true);
      for (let i = 1; i <= 250; i++) assert.equal(await take(i % 2 ? a : b, i), false);
      assert.equal(await a.due(Date.now()).then((d) => d.length), 0, 'not before the window ends');
      await sleep(W + 50);
      const [first, ...none] = await b.due(Date.now());
      assert.equal(none.length, 0);
      assert.deepEqual([first.count, first.held.length, first.windowEnd - first.windowStart, first.part], [250, MAX_HELD_DETAIL, W, undefined]);
      assert.deepEqual(await a.due(Date.now()), [], 'taken by the other instance');
      assert.ok(a.nextDue()! > Date.now() + 1000, 'nothing waits here but the next look for batches nobody took');

      // An instance closing takes the batch early; what is held after that is a second part of the same window.
      await take(a, 300);
      await take(a, 301);
      await take(b, 302);
      const [early] = await a.flushAll(Date.now());
      assert.deepEqual([early.count, early.held.map((h) => h.deviceId), early.part], [2, ['d301', 'd302'], undefined]);
      assert.ok(early.windowEnd < early.windowStart + W);
      await take(b, 303);
      await sleep(W + 50);
      assert.deepEqual(await a.due(Date.now()), []);
      const [rest] = await b.due(Date.now());
      assert.deepEqual([rest.count, rest.held.map((h) => h.deviceId), rest.part, rest.windowStart], [1, ['d303'], 1, early.windowStart]);

      // Nobody looked when a window ended: the next refusal (a new window) hands its batch on, unmixed.
      await take(a, 400);
      await take(a, 401);
      await sleep(W + 50);
      await take(b, 402);
      await take(b, 403);
      assert.equal(b.nextDue(), 0, 'a handed batch is due at once');
      const [handed] = await b.due(Date.now());
      assert.deepEqual([handed.count, handed.held.map((h) => h.deviceId)], [1, ['d401']]);
      assert.deepEqual(await a.due(Date.now()), [], 'the batch now is the open window: it waits');
      await sleep(W + 50);
      const taken = [...(await a.due(Date.now())), ...(await b.due(Date.now()))];
      assert.deepEqual(
        taken.map((d) => d.held.map((h) => h.deviceId)),
        [['d403']],
      );
      await sleep(100);
      assert.deepEqual(await clients[0].keys('unit:*'), [], 'nothing left in Redis');
    } finally {
      for (const c of clients) c.disconnect();
    }
  },
);
