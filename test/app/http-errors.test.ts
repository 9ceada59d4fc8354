import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'node:test';
import { asyncRoute, errorHandler } from '../../app/http-errors';

const express = require('express');

test('a route that throws or rejects answers 500 and the server keeps serving', async () => {
  const logged: string[] = [];
  const app = express();
  app.get('/sync', () => {
    throw new Error('sync boom');
  });
  app.get(
    '/async',
    asyncRoute(async () => {
      throw new Error('async boom');
    }),
  );
  app.get(
    '/half',
    asyncRoute(async (_req, res) => {
      res.write('partial');
      throw new Error('late boom');
    }),
  );
  app.get(
    '/bad',
    asyncRoute(async () => {
      throw Object.assign(new Error('bad input'), { status: 400 });
    }),
  );
  app.get('/ok', (_req: unknown, res: { json(v: unknown): void }) => res.json({ ok: true }));
  app.use(errorHandler((l) => logged.push(l)));
  const server = http.createServer(app).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    for (const p of ['/sync', '/async']) {
      const res = await fetch(url + p);
      assert.equal(res.status, 500, p);
      assert.deepEqual(await res.json(), { error: 'internal error' });
    }
    const half = await fetch(`${url}/half`);
    assert.equal(half.status, 200);
    assert.equal(await half.text(), 'partial');
    const bad = await fetch(`${url}/bad`);
    assert.equal(bad.status, 400);
    assert.deepEqual(await bad.json(), { error: 'bad input' });
    assert.equal((await fetch(`${url}/ok`)).status, 200);
    assert.equal(logged.length, 4);
    assert.match(logged[1], /GET \/async failed: Error: async boom/);
  } finally {
    server.close();
  }
});
