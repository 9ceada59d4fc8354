import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WriteResult } from '../../nodes/influxdb/http-write';
import { Spool } from '../../nodes/influxdb/spool';
import { WriterEngine } from '../../nodes/influxdb/writer-engine';
import { tempDir } from '../support/services';

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function fakeServer() {
  const bodies: string[][] = [];
  const s = {
    up: true,
    retryAfter: undefined as number | undefined,
    bodies,
    lines: () => bodies.flat(),
    post: async (body: string): Promise<WriteResult> => {
      await new Promise((r) => setTimeout(r, 2));
      if (!s.up) return { kind: 'retry', message: 'ECONNREFUSED', retryAfterMs: s.retryAfter };
      bodies.push(body.split('\n'));
      return { kind: 'ok' };
    },
  };
  return s;
}

const engineWith = (
  server: ReturnType<typeof fakeServer> | undefined,
  opts: Partial<{ batchSize: number; flushMs: number; maxBatchBytes: number }> = {},
  dir = tempDir('engine'),
) =>
  new WriterEngine({
    batchSize: opts.batchSize ?? 100,
    flushMs: opts.flushMs ?? 50,
    maxQueueBatches: 4,
    maxBatchBytes: opts.maxBatchBytes,
    backoff: { initialMs: 20, maxMs: 200 },
    post: server?.post,
    spool: new Spool({ dir, maxBytes: 1 << 24 }),
  });

test('a full batch is sent at once, one request per batch', async () => {
  const srv = fakeServer();
  const e = engineWith(srv, { batchSize: 10, flushMs: 60_000 });
  for (let i = 0; i < 30; i++) e.add(`m v=${i} ${i}`);
  await until(() => srv.lines().length === 30);
  assert.deepEqual(
    srv.bodies.map((b) => b.length),
    [10, 10, 10],
  );
  await e.close();
});

test('a partial batch is sent after flushMs', async () => {
  const srv = fakeServer();
  const e = engineWith(srv, { batchSize: 1000, flushMs: 100 });
  e.add('m v=1 1');
  e.add('m v=2 2');
  assert.equal(srv.bodies.length, 0);
  await until(() => srv.bodies.length === 1);
  assert.deepEqual(srv.bodies[0], ['m v=1 1', 'm v=2 2']);
  await e.close();
});

test('while the server is down batches are spooled, then replayed in order exactly once', async () => {
  const srv = fakeServer();
  srv.up = false;
  const e = engineWith(srv, { batchSize: 5, flushMs: 20 });
  for (let i = 0; i < 50; i++) e.add(`m v=${i} ${i}`);
  await until(() => e.state().spooled === 50);
  assert.equal(e.state().retrying, true);
  assert.match(e.state().lastError ?? '', /ECONNREFUSED/);
  srv.up = true;
  for (let i = 50; i < 60; i++) e.add(`m v=${i} ${i}`);
  await until(() => srv.lines().length === 60);
  // Exactly once: every line, no duplicates (order is kept within the spool, see spool.test).
  assert.deepEqual(
    srv
      .lines()
      .map((l) => Number(l.split(' ')[2]))
      .sort((a, b) => a - b),
    Array.from({ length: 60 }, (_, i) => i),
  );
  assert.equal(e.state().spooled, 0);
  await e.close();
});

test('a batch closes on bytes as well as lines: long lines are split into bodies under the cap', async () => {
  const srv = fakeServer();
  const e = engineWith(srv, { batchSize: 100, flushMs: 60_000, maxBatchBytes: 1000 });
  const long = (i: number) => `m,device=d${i} text="${'é'.repeat(150)}" ${i}`; // 318 bytes in UTF-8
  for (let i = 0; i < 10; i++) e.add(long(i));
  e.add(`m text="${'x'.repeat(1500)}" 99`); // longer than the cap on its own: goes alone
  e.add('m v=1 100');
  e.flush();
  await until(() => srv.lines().length === 12);
  assert.deepEqual(
    srv.bodies.map((b) => b.length),
    [3, 3, 3, 1, 1, 1],
  );
  for (const b of srv.bodies.slice(0, 3)) assert.ok(Buffer.byteLength(b.join('\n')) <= 1000, `${Buffer.byteLength(b.join('\n'))} bytes`);
  assert.deepEqual(srv.lines(), [...Array.from({ length: 10 }, (_, i) => long(i)), `m text="${'x'.repeat(1500)}" 99`, 'm v=1 100']);
  await e.close();
});

test('Retry-After delays the next attempt', async () => {
  const srv = fakeServer();
  srv.up = false;
  srv.retryAfter = 700;
  const e = engineWith(srv, { batchSize: 1 });
  e.add('m v=1 1');
  await until(() => e.state().retrying);
  const failedAt = Date.now();
  srv.up = true;
  await until(() => srv.lines().length === 1);
  assert.ok(Date.now() - failedAt >= 600, `retried after ${Date.now() - failedAt} ms`);
  await e.close();
});

test('without a database everything is spooled, and a later engine on the same spool writes it', async () => {
  const dir = tempDir('engine');
  const a = engineWith(undefined, { batchSize: 10 }, dir);
  for (let i = 0; i < 25; i++) a.add(`m v=${i} ${i}`);
  await a.close();
  const srv = fakeServer();
  const b = engineWith(srv, {}, dir);
  await until(() => srv.lines().length === 25);
  assert.equal(new Set(srv.lines()).size, 25);
  await b.close();
});

test('close spools what the server does not take', async () => {
  const dir = tempDir('engine');
  const srv = fakeServer();
  srv.up = false;
  const a = engineWith(srv, { batchSize: 1000, flushMs: 60_000 }, dir);
  for (let i = 0; i < 7; i++) a.add(`m v=${i} ${i}`);
  await a.close(200);
  const s = new Spool({ dir, maxBytes: 1 << 24 });
  assert.equal(s.points, 7);
  s.close();
});

test('a spool that cannot be written: the points are counted as dropped and nothing throws', async () => {
  class BrokenSpool extends Spool {
    override append(): void {
      throw new Error('ENOSPC: no space left on device');
    }
  }
  let lost = 0;
  const e = new WriterEngine({
    batchSize: 100,
    flushMs: 20,
    maxQueueBatches: 4,
    backoff: { initialMs: 20, maxMs: 200 },
    spool: new BrokenSpool({ dir: tempDir('engine'), maxBytes: 1 << 20 }),
    onSpoolError: (n) => (lost += n),
  });
  for (let i = 0; i < 5; i++) e.add(`m v=${i} ${i}`);
  await until(() => lost === 5);
  assert.equal(e.state().spoolDropped, 5);
  assert.match(e.state().lastError ?? '', /spool write failed, 5 points dropped: ENOSPC/);
  await e.close();
});

test('holds: released once per key and batch, when the batch is written', async () => {
  const srv = fakeServer();
  const released: string[] = [];
  const taken: string[] = [];
  const e = new WriterEngine({
    batchSize: 3,
    flushMs: 60_000,
    maxQueueBatches: 4,
    backoff: { initialMs: 20, maxMs: 200 },
    post: srv.post,
    spool: new Spool({ dir: tempDir('engine'), maxBytes: 1 << 24 }),
    hold: (key) => {
      taken.push(key);
      return true;
    },
    release: (key) => released.push(key),
  });
  e.add('m v=1 1', 'a');
  e.add('m v=2 2', 'a');
  e.add('m v=3 3', 'b'); // batch full: a and b
  e.add('m v=4 4', 'b'); // next batch: b again
  assert.deepEqual(taken, ['a', 'b', 'b']);
  await until(() => released.length === 2);
  assert.deepEqual(released.sort(), ['a', 'b']);
  e.flush();
  await until(() => released.length === 3);
  await e.close();
});

test('holds: a batch that goes to the spool is released only after the spool is fsynced', async () => {
  const dir = tempDir('engine');
  const spool = new Spool({ dir, maxBytes: 1 << 24 });
  let durableCalls = 0;
  const whenDurable = spool.whenDurable.bind(spool);
  spool.whenDurable = (cb) => {
    durableCalls++;
    whenDurable(cb);
  };
  const released: string[] = [];
  const e = new WriterEngine({
    batchSize: 2,
    flushMs: 60_000,
    maxQueueBatches: 4,
    backoff: { initialMs: 20, maxMs: 200 },
    post: undefined,
    spool, // no database: everything is spooled
    hold: () => true,
    release: (key) => released.push(key),
  });
  e.add('m v=1 1', 'a');
  e.add('m v=2 2', 'b');
  assert.deepEqual(released, [], 'not before the fsync');
  await until(() => released.length === 2);
  assert.equal(durableCalls, 1);
  assert.equal(spool.points, 2);
  await e.close();
});

test('holds: while the server is down the failed batch is spooled and released after the fsync, then replayed', async () => {
  const srv = fakeServer();
  srv.up = false;
  const released: string[] = [];
  const e = new WriterEngine({
    batchSize: 2,
    flushMs: 60_000,
    maxQueueBatches: 4,
    backoff: { initialMs: 20, maxMs: 100 },
    post: srv.post,
    spool: new Spool({ dir: tempDir('engine'), maxBytes: 1 << 24 }),
    hold: () => true,
    release: (key) => released.push(key),
  });
  e.add('m v=1 1', 'a');
  e.add('m v=2 2', 'b');
  await until(() => released.length === 2);
  assert.equal(srv.lines().length, 0);
  srv.up = true;
  await until(() => srv.lines().length === 2);
  await e.close();
});

test('spool group commit: callers waiting on one fsync are answered together; close answers the rest', async () => {
  const spool = new Spool({ dir: tempDir('spool'), maxBytes: 1 << 24 });
  const order: string[] = [];
  spool.whenDurable(() => order.push('empty')); // nothing appended: at once
  assert.deepEqual(order, ['empty']);
  spool.append('m v=1 1', 1);
  spool.whenDurable(() => order.push('a'));
  spool.append('m v=2 2', 1);
  spool.whenDurable(() => order.push('b'));
  spool.whenDurable(() => order.push('c'));
  await until(() => order.length === 4);
  assert.deepEqual(order, ['empty', 'a', 'b', 'c']);
  spool.append('m v=3 3', 1);
  spool.whenDurable(() => order.push('d'));
  spool.close();
  await until(() => order.length === 5);
});
