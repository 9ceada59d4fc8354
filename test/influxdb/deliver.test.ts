import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deliver, refusedCount } from '../../nodes/influxdb/deliver';
import type { WriteResult } from '../../nodes/influxdb/http-write';

const lines = (n: number): string[] => Array.from({ length: n }, (_, i) => `m v=${i} ${i}`);

/** A fake server: refuses bodies holding a bad line (like 1.x: writes the rest), 413 above maxLines. */
function server(bad: Set<string>, opts: { maxLines?: number; downAfter?: number } = {}) {
  const stored = new Set<string>();
  let calls = 0;
  const post = async (body: string): Promise<WriteResult> => {
    calls++;
    if (opts.downAfter !== undefined && calls > opts.downAfter) return { kind: 'retry', message: 'ECONNREFUSED' };
    const ls = body.split('\n');
    if (opts.maxLines && ls.length > opts.maxLines) return { kind: 'tooLarge', status: 413, message: 'Request Entity Too Large' };
    const refused = ls.filter((l) => bad.has(l));
    ls.filter((l) => !bad.has(l)).forEach((l) => stored.add(l));
    if (refused.length) return { kind: 'badData', status: 400, message: `partial write: field type conflict dropped=${refused.length}` };
    return { kind: 'ok' };
  };
  return { post, stored, calls: () => calls };
}

test('bisection isolates the bad lines and writes the rest', async () => {
  const all = lines(1000);
  const bad = new Set([all[17], all[503], all[999]]);
  const s = server(bad);
  const out = await deliver(all, s.post);
  assert.deepEqual(out.rejected.flatMap((r) => r.lines).sort(), [...bad].sort());
  assert.equal(out.rejected[0].status, 400);
  assert.match(out.rejected[0].message, /field type conflict/);
  assert.equal(s.stored.size, 997);
  assert.equal(out.retry, undefined);
  assert.ok(s.calls() < 80, `${s.calls()} requests`);
});

test('a chunk the server says is all bad is rejected without bisecting further', async () => {
  const all = lines(64);
  const s = server(new Set(all));
  const out = await deliver(all, s.post);
  assert.equal(s.calls(), 1);
  assert.equal(out.rejected.length, 1);
  assert.equal(out.rejected[0].lines.length, 64);
});

test('413 splits the batch until it fits', async () => {
  const s = server(new Set(), { maxLines: 300 });
  const out = await deliver(lines(1000), s.post);
  assert.equal(out.written, 1000);
  assert.equal(s.stored.size, 1000);
  assert.deepEqual(out.rejected, []);
});

test('a single line too large is rejected with a clear message', async () => {
  const out = await deliver(['huge'], async () => ({ kind: 'tooLarge', status: 413, message: 'Request Entity Too Large' }));
  assert.equal(out.rejected.length, 1);
  assert.match(out.rejected[0].message, /line too large for the server \(HTTP 413\)/);
});

test('when the server goes away mid-bisection the undelivered lines come back for retry', async () => {
  const all = lines(100);
  const s = server(new Set([all[90]]), { downAfter: 3 });
  const out = await deliver(all, s.post);
  assert.ok(out.retry);
  assert.equal(out.written + out.retry.lines.length + out.rejected.reduce((n, r) => n + r.lines.length, 0), 100);
  assert.ok(out.retry.lines.includes(all[90]));
});

test('refusedCount reads 1.x partial-write and parse-error answers', () => {
  assert.equal(
    refusedCount('partial write: field type conflict: input field "v" on measurement "m" is type float, already exists as type string dropped=3'),
    3,
  );
  assert.equal(refusedCount("unable to parse 'a b': bad\nunable to parse 'c d': bad"), 2);
  assert.equal(refusedCount('something else'), undefined);
});
