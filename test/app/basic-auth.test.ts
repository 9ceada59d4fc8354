import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import bcrypt from 'bcryptjs';
import express from 'express';
import { AuthGate } from '../../app/auth/gate';
import { AuthedRequest, basicAuth, optionalBasicAuth, tokenGuard } from '../../app/basic-auth';

const gate = new AuthGate([{ username: 'ops', hash: bcrypt.hashSync('right-pw', 4), role: 'operator' }], { throttle: { maxPerAddress: 3, maxPerUser: 100 } });
let base = '';
let server: import('node:http').Server;
// Three failures from one address in the window, counted over the tests in order: the fourth attempt waits.
const basic = (user: string, pw: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}` });

before(async () => {
  const app = express();
  const who = (req: express.Request, res: express.Response) => void res.json({ user: (req as AuthedRequest).user ?? null });
  app.get('/locked', basicAuth(gate, 'Test realm'), who);
  app.get('/open', optionalBasicAuth(gate), who);
  app.post('/auth/token', express.urlencoded({ extended: false }), tokenGuard(gate), (_req, res) => void res.json({ passed: true }));
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server?.close();
  await gate.close();
});

test('basicAuth: no or wrong credentials get 401 with the realm; right ones pass with req.user', async () => {
  const none = await fetch(`${base}/locked`);
  assert.equal(none.status, 401);
  assert.equal(none.headers.get('www-authenticate'), 'Basic realm="Test realm"');
  assert.deepEqual(await none.json(), { error: 'authentication required' });
  const ok = await fetch(`${base}/locked`, { headers: basic('ops', 'right-pw') });
  assert.deepEqual([ok.status, await ok.json()], [200, { user: { username: 'ops', role: 'operator' } }]);
});

test('optionalBasicAuth: passes without credentials or with wrong ones, sets the user with right ones', async () => {
  assert.deepEqual(await (await fetch(`${base}/open`)).json(), { user: null });
  assert.deepEqual(await (await fetch(`${base}/open`, { headers: basic('ops', 'nope') })).json(), { user: null });
  assert.deepEqual(await (await fetch(`${base}/open`, { headers: basic('ops', 'right-pw') })).json(), { user: { username: 'ops', role: 'operator' } });
});

test('tokenGuard: other grants pass; a wrong password is 403 invalid_grant, then 429 once throttled', async () => {
  const token = (body: Record<string, string>) => fetch(`${base}/auth/token`, { method: 'POST', body: new URLSearchParams(body) });
  assert.deepEqual(await (await token({ grant_type: 'refresh_token' })).json(), { passed: true });
  assert.deepEqual(await (await token({ grant_type: 'password', username: 'ops', password: 'right-pw' })).json(), { passed: true });
  const wrong = await token({ grant_type: 'password', username: 'ops', password: 'bad' });
  assert.deepEqual([wrong.status, ((await wrong.json()) as { error: string }).error], [403, 'invalid_grant']);
  await token({ grant_type: 'password', username: 'ops', password: 'bad' });
  const throttled = await token({ grant_type: 'password', username: 'ops', password: 'bad' });
  assert.equal(throttled.status, 429);
  assert.ok(Number(throttled.headers.get('retry-after')) > 0);
});
