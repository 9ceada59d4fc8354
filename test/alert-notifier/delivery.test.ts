/** Dispatcher with scripted senders: order, retries with backoff, permanent failures, give-up, restart. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'fs';
import path from 'path';
import { tempDir } from '../support/services';
import { Outbox, OutboxItem, newItemId } from '../../nodes/alert-notifier/outbox';
import { Dispatcher, DeliveryError, DeliveryResult, Sender } from '../../nodes/alert-notifier/delivery';
import { waitFor } from './receivers';

const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
function dir(): string {
  const d = tempDir('delivery');
  dirs.push(d);
  return path.join(d, 'ob');
}
function item(n: number): OutboxItem {
  const now = Date.now();
  return {
    id: newItemId(now, 'webhook'),
    channel: 'webhook',
    key: `k${n}`,
    kind: 'alert',
    createdAt: now,
    attempts: 0,
    nextAt: now,
    ref: {},
    webhook: { body: String(n) },
  };
}

/** A sender that fails while `down` and records what it delivered. */
class Scripted implements Sender {
  down = false;
  permanentFor = new Set<string>();
  delivered: string[] = [];
  attempts = 0;
  async send(it: OutboxItem): Promise<string> {
    this.attempts++;
    await new Promise((r) => setTimeout(r, 2));
    if (this.permanentFor.has(it.key)) throw new DeliveryError('HTTP 400 bad request', true);
    if (this.down) throw new DeliveryError('ECONNREFUSED', false);
    this.delivered.push(it.key);
    return 'ok';
  }
}

function dispatcher(d: string, sender: Sender, results: DeliveryResult[], giveUpMs = 60_000): Dispatcher {
  return new Dispatcher({
    outbox: new Outbox(d),
    senders: { webhook: sender },
    backoff: { initialMs: 50, maxMs: 200, factor: 2, jitter: 0.5 },
    giveUpMs,
    onResult: (r) => results.push(r),
  });
}

test('delivers in order, once each', async () => {
  const s = new Scripted();
  const results: DeliveryResult[] = [];
  const disp = dispatcher(dir(), s, results);
  await disp.start();
  for (let i = 0; i < 10; i++) await disp.enqueue(item(i));
  await waitFor('10 results', () => results.length === 10);
  await disp.stop(1000);
  assert.deepEqual(
    s.delivered,
    Array.from({ length: 10 }, (_, i) => `k${i}`),
  );
  assert.ok(results.every((r) => r.status === 'sent' && r.attempts === 1));
  assert.equal(disp.depth, 0);
});

test('while down: retries with growing delays, keeps order, then delivers everything once', async () => {
  const s = new Scripted();
  s.down = true;
  const results: DeliveryResult[] = [];
  const disp = dispatcher(dir(), s, results);
  await disp.start();
  for (let i = 0; i < 5; i++) await disp.enqueue(item(i));
  const st = disp.channel('webhook');
  await waitFor('4 failed attempts', () => st.failures >= 4);
  assert.ok(st.failures >= 4 && st.lastError === 'ECONNREFUSED');
  assert.ok(st.blockedUntil > Date.now() - 5);
  assert.equal(results.length, 0, 'nothing reported while retrying');
  const attemptsWhileDown = s.attempts;
  await new Promise((r) => setTimeout(r, 600));
  // Capped at 200 ms (+ jitter below): about 3 attempts per 600 ms, not a hot loop.
  assert.ok(s.attempts - attemptsWhileDown <= 8, `${s.attempts - attemptsWhileDown} attempts in 600 ms`);
  s.down = false;
  await waitFor('5 sent', () => results.length === 5);
  await disp.stop(1000);
  assert.deepEqual(s.delivered, ['k0', 'k1', 'k2', 'k3', 'k4']);
  assert.equal(disp.channel('webhook').failures, 0);
});

test('a permanent failure is removed and reported; the next item goes on', async () => {
  const s = new Scripted();
  s.permanentFor.add('k1');
  const results: DeliveryResult[] = [];
  const disp = dispatcher(dir(), s, results);
  await disp.start();
  for (let i = 0; i < 3; i++) await disp.enqueue(item(i));
  await waitFor('3 results', () => results.length === 3);
  await disp.stop(1000);
  const failed = results.find((r) => r.status === 'failed');
  assert.equal(failed?.key, 'k1');
  assert.equal(failed?.reason, 'HTTP 400 bad request');
  assert.equal(failed?.attempts, 1);
  assert.deepEqual(s.delivered, ['k0', 'k2']);
});

test('an item still failing after giveUpMs fails for good with the last error', async () => {
  const s = new Scripted();
  s.down = true;
  const results: DeliveryResult[] = [];
  const disp = dispatcher(dir(), s, results, 300);
  await disp.start();
  await disp.enqueue(item(1));
  await waitFor('give up', () => results.length === 1, 5000);
  await disp.stop(1000);
  assert.equal(results[0].status, 'failed');
  assert.match(results[0].reason ?? '', /^gave up after \d+ attempts: ECONNREFUSED$/);
  assert.ok(results[0].attempts >= 2);
});

test('stop leaves pending items on disk; a new dispatcher sends them at once, exactly once', async () => {
  const d = dir();
  const s = new Scripted();
  s.down = true;
  const results: DeliveryResult[] = [];
  const first = dispatcher(d, s, results);
  await first.start();
  for (let i = 0; i < 3; i++) await first.enqueue(item(i));
  await waitFor('a failed attempt', () => s.attempts >= 1);
  await first.stop(1000);
  const attempts = s.attempts;
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(s.attempts, attempts, 'no attempt after stop');
  s.down = false;
  const second = dispatcher(d, s, results);
  assert.equal(await second.start(), 3);
  await waitFor('3 sent', () => results.length === 3);
  await second.stop(1000);
  assert.deepEqual(s.delivered, ['k0', 'k1', 'k2']);
  const third = dispatcher(d, s, results);
  assert.equal(await third.start(), 0, 'nothing left');
  await third.stop(100);
});

test('Retry-After is honoured (up to the cap)', async () => {
  let calls = 0;
  const times: number[] = [];
  const sender: Sender = {
    async send() {
      times.push(Date.now());
      if (++calls === 1) throw new DeliveryError('HTTP 429', false, 150);
      return 'ok';
    },
  };
  const results: DeliveryResult[] = [];
  const disp = new Dispatcher({
    outbox: new Outbox(dir()),
    senders: { webhook: sender },
    giveUpMs: 60_000,
    onResult: (r) => results.push(r),
    backoff: { initialMs: 10, maxMs: 1000, factor: 2, jitter: 0 },
  });
  await disp.start();
  await disp.enqueue(item(1));
  await waitFor('sent', () => results.length === 1);
  await disp.stop(100);
  assert.ok(times[1] - times[0] >= 140, `waited ${times[1] - times[0]} ms`);
});
