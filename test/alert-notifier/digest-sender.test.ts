/** DigestSender: digests into the outbox when a window ends and at close; what a channel cannot carry, or already holds, is skipped; failures are reported. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig, DEFAULTS } from '../../nodes/alert-notifier/config';
import { NotificationContent } from '../../nodes/alert-notifier/content';
import { digestKey } from '../../nodes/alert-notifier/digest';
import { DigestSender } from '../../nodes/alert-notifier/digest-sender';
import { DigestWindow } from '../../nodes/alert-notifier/digest-window';
import type { OutboxItem } from '../../nodes/alert-notifier/outbox';
import { localGate, RateGate } from '../../nodes/alert-notifier/shared-limit';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const s = (i: number) => ({ deviceId: `d${i}`, event: 'fired', severity: 'warning', title: `t${i}`, at: Date.now() });

function sender(gate: RateGate, opts: { to?: string; failWith?: string; has?: (key: string) => boolean } = {}) {
  const content = new NotificationContent(parseConfig({ ...DEFAULTS, url: 'http://127.0.0.1:1/hook', to: opts.to ?? '' }, {}), { kind: 'smtp' }, '/tmp');
  const items: OutboxItem[] = [];
  const lost: string[] = [];
  const d = new DigestSender({
    gate,
    content,
    now: Date.now,
    has: (_channel, key) => opts.has?.(key) ?? false,
    enqueue: async (item) => {
      if (opts.failWith) throw new Error(opts.failWith);
      items.push(item);
    },
    lost: (err) => lost.push((err as Error).message),
  });
  return { d, items, lost };
}

test('a held window goes out as one digest item when it ends, keyed by rule, channel and window start', async () => {
  const w = new DigestWindow(1, 150);
  const gate = localGate(w);
  const { d, items } = sender(gate, { to: 'ops@test.local' });
  for (const ch of ['email', 'webhook']) for (let i = 0; i < 3; i++) await gate.take(`temp-high|${ch}`, s(i), Date.now());
  d.schedule();
  await wait(50);
  assert.equal(items.length, 0, 'not before the window ends');
  await wait(250);
  assert.deepEqual(items.map((i) => [i.channel, i.kind, i.ref.ruleId, i.ref.event, i.ref.count]).sort(), [
    ['email', 'digest', 'temp-high', 'digest', undefined],
    ['webhook', 'digest', 'temp-high', 'digest', undefined],
  ]);
  const email = items.find((i) => i.channel === 'email')!;
  assert.equal(email.email?.subject, '[DIGEST] 2 notifications held back for rule temp-high');
  assert.deepEqual(email.email?.to, ['ops@test.local']);
  const hook = JSON.parse(items.find((i) => i.channel === 'webhook')!.webhook!.body) as { count: number; windowStart: number };
  assert.equal(hook.count, 2);
  assert.equal(
    items.find((i) => i.channel === 'webhook')!.key,
    digestKey({ key: 'temp-high|webhook', windowStart: hook.windowStart, windowEnd: 0, count: 2, held: [] }),
  );
  await d.close();
  assert.equal(items.length, 2, 'handed out once');
});

test('close puts open windows in; a channel without recipients, or a digest already in the outbox, is skipped', async () => {
  const gate = localGate(new DigestWindow(1, 60_000));
  for (const k of ['r1|email', 'r1|webhook', 'r2|webhook']) for (let i = 0; i < 2; i++) await gate.take(k, s(i), 1000);
  const inOutbox = digestKey({ key: 'r2|webhook', windowStart: 1000, windowEnd: 0, count: 0, held: [] });
  const { d, items } = sender(gate, { has: (key) => key === inOutbox });
  await d.close();
  // r1|email: no recipients (no `to`, a real SMTP target); r2|webhook: already in the outbox.
  assert.deepEqual(
    items.map((i) => `${i.ref.ruleId}|${i.channel}`),
    ['r1|webhook'],
  );
  const again = sender(gate, { has: (key) => key === items[0].key });
  await gate.take('r1|webhook', s(9), 2000);
  await gate.take('r1|webhook', s(10), 2000);
  await again.d.close();
  assert.equal(again.items.length, 1, 'a new window is a new digest, with its own key');
});

test('an outbox that refuses, or a gate that fails, is reported as a lost digest', async () => {
  const gate = localGate(new DigestWindow(1, 60_000));
  await gate.take('r|webhook', s(1), Date.now());
  await gate.take('r|webhook', s(2), Date.now());
  const full = sender(gate, { failWith: 'outbox full' });
  await full.d.close();
  assert.deepEqual(full.lost, ['outbox full']);
  const broken: RateGate = { ...localGate(new DigestWindow(1, 1)), flushAll: () => Promise.reject(new Error('Redis gone')) };
  const b = sender(broken);
  await b.d.close();
  assert.deepEqual(b.lost, ['Redis gone']);
});
