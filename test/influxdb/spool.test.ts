import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Spool } from '../../nodes/influxdb/spool';
import { tempDir } from '../support/services';

const batch = (from: number, n: number): string => Array.from({ length: n }, (_, i) => `m,d=x v=${from + i} ${from + i}`).join('\n');

function drain(s: Spool): string[] {
  const out: string[] = [];
  for (let rec = s.peek(); rec; rec = s.peek()) {
    out.push(...rec.body.split('\n'));
    s.commit(rec);
  }
  return out;
}

test('spool replays batches in order and is empty afterwards', () => {
  const dir = tempDir('spool');
  const s = new Spool({ dir, maxBytes: 10 * 1024 * 1024 });
  s.append(batch(0, 3), 3);
  s.append(batch(3, 2), 2);
  assert.equal(s.points, 5);
  const lines = drain(s);
  assert.deepEqual(
    lines.map((l) => Number(l.split(' ')[2])),
    [0, 1, 2, 3, 4],
  );
  assert.equal(s.points, 0);
  assert.ok(s.isEmpty());
  assert.deepEqual(
    fs.readdirSync(dir).filter((f) => f.endsWith('.lp')),
    [],
  );
  s.close();
});

test('spool survives a restart, keeping the replay position', () => {
  const dir = tempDir('spool');
  const a = new Spool({ dir, maxBytes: 10 * 1024 * 1024 });
  a.append(batch(0, 2), 2);
  a.append(batch(2, 2), 2);
  const first = a.peek();
  assert.ok(first);
  a.commit(first);
  a.close();
  const b = new Spool({ dir, maxBytes: 10 * 1024 * 1024 });
  assert.equal(b.points, 2);
  b.append(batch(4, 1), 1);
  assert.deepEqual(
    drain(b).map((l) => Number(l.split(' ')[2])),
    [2, 3, 4],
  );
  b.close();
});

test('a torn record at the end (crash mid-write) is cut off on open', () => {
  const dir = tempDir('spool');
  const a = new Spool({ dir, maxBytes: 10 * 1024 * 1024 });
  a.append(batch(0, 2), 2);
  a.close();
  const seg = fs.readdirSync(dir).find((f) => f.endsWith('.lp')) as string;
  fs.appendFileSync(path.join(dir, seg), '#5 900\nm,d=x v=1 1\nm,d=');
  const b = new Spool({ dir, maxBytes: 10 * 1024 * 1024 });
  assert.equal(b.points, 2);
  assert.equal(drain(b).length, 2);
  b.close();
});

test('past maxBytes the oldest segments are dropped and counted', () => {
  const dir = tempDir('spool');
  const s = new Spool({ dir, maxBytes: 4000, segmentBytes: 1000 });
  let appended = 0;
  for (let i = 0; i < 100; i++) {
    s.append(batch(i * 10, 10), 10);
    appended += 10;
  }
  assert.ok(s.bytes <= 4000 + 1000, `spool holds ${s.bytes} bytes`);
  assert.ok(s.dropped > 0);
  assert.equal(s.points + s.dropped, appended);
  const lines = drain(s);
  assert.equal(lines.length, s.points === 0 ? appended - s.dropped : -1);
  // What is left is the newest data, still in order.
  const ts = lines.map((l) => Number(l.split(' ')[2]));
  assert.equal(ts[ts.length - 1], 999);
  assert.deepEqual(
    ts,
    [...ts].sort((x, y) => x - y),
  );
  s.close();
});

test('dropping the segment being replayed makes its commit a no-op', () => {
  const dir = tempDir('spool');
  const s = new Spool({ dir, maxBytes: 3000, segmentBytes: 1000 });
  s.append(batch(0, 60), 60);
  const rec = s.peek();
  assert.ok(rec);
  for (let i = 1; i < 10; i++) s.append(batch(i * 60, 60), 60);
  assert.ok(s.dropped >= 60, `dropped ${s.dropped}`);
  s.commit(rec);
  assert.equal(s.points + s.dropped, 600);
  assert.equal(Number(s.peek()?.body.split('\n')[0].split(' ')[2]), s.dropped);
  s.close();
});

test('a spool drained, reopened and written again keeps its new data across another reopen', () => {
  const dir = tempDir('spool');
  const a = new Spool({ dir, maxBytes: 1 << 20 });
  for (let i = 0; i < 3; i++) a.append(batch(i * 2, 2), 2);
  drain(a);
  a.close();
  const b = new Spool({ dir, maxBytes: 1 << 20 });
  b.append(batch(100, 5), 5);
  b.close();
  const c = new Spool({ dir, maxBytes: 1 << 20 });
  assert.equal(c.points, 5);
  assert.equal(drain(c).length, 5);
  c.close();
});

test('a damaged segment is cut at the damage on open, and the next one replayed', () => {
  const dir = tempDir('spool');
  const a = new Spool({ dir, maxBytes: 1 << 20, segmentBytes: 50 });
  a.append(batch(0, 5), 5);
  a.append(batch(5, 5), 5);
  a.close();
  const first = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.lp'))
    .sort()[0];
  const file = path.join(dir, first);
  const buf = fs.readFileSync(file);
  buf.write('X', 0);
  fs.writeFileSync(file, buf);
  const b = new Spool({ dir, maxBytes: 1 << 20 });
  const lines = drain(b);
  assert.deepEqual(
    lines.map((l) => Number(l.split(' ')[2])),
    [5, 6, 7, 8, 9],
  );
  assert.equal(b.points, 0);
  b.close();
});
