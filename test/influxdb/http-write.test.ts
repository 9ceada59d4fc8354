/** writeBatch against a real HTTP server: a 1.x 404 creates the database; other answers do not. */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { writeBatch, type WriteTarget } from '../../nodes/influxdb/http-write';

/** A server that answers /write with `status` and records every request. */
async function serve(status: number): Promise<{ url: string; seen: string[]; close: () => Promise<void> }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push(`${req.method} ${req.url?.split('?')[0]} ${decodeURIComponent(body.replace(/\+/g, ' '))}`);
      if (req.url?.startsWith('/query')) return void res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"results":[{}]}');
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(status === 204 ? undefined : '{"error":"database not found: \\"iot\\""}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((r) => server.close(() => r())) };
}

const target = (url: string, version: 1 | 2): WriteTarget => ({
  version,
  url,
  database: 'iot',
  retentionPolicy: '',
  org: 'o',
  bucket: 'b',
  gzip: false,
  timeoutMs: 2000,
});

test('1.x: a 404 (no database) is a retry, and the database is created for it', async () => {
  const s = await serve(404);
  try {
    const r = await writeBatch(target(s.url, 1), 'm v=1 1');
    assert.equal(r.kind, 'retry');
    assert.equal(r.kind === 'retry' && r.status, 404);
    assert.deepEqual(s.seen, ['POST /write m v=1 1', 'POST /query q=CREATE DATABASE "iot"']);
  } finally {
    await s.close();
  }
});

test('2.x: a 404 is a retry, and nothing is created', async () => {
  const s = await serve(404);
  try {
    assert.equal((await writeBatch(target(s.url, 2), 'm v=1 1')).kind, 'retry');
    assert.deepEqual(s.seen, ['POST /api/v2/write m v=1 1']);
  } finally {
    await s.close();
  }
});

test('1.x: a write that succeeds creates nothing', async () => {
  const s = await serve(204);
  try {
    assert.equal((await writeBatch(target(s.url, 1), 'm v=1 1')).kind, 'ok');
    assert.deepEqual(s.seen, ['POST /write m v=1 1']);
  } finally {
    await s.close();
  }
});
