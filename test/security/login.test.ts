/**
 * With ADMIN_PASSWORD_HASH set, the editor's admin API, the dashboard, the
 * recordings routes and /metrics refuse anonymous access and accept the right
 * credentials; health stays open for orchestrators.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import bcrypt from 'bcryptjs';
import { startApp, RunningApp } from '../support/app';

const PASSWORD = 'correct horse battery staple';
let app: RunningApp;

before(async () => {
  app = await startApp({
    ADMIN_USER: 'operator',
    ADMIN_PASSWORD_HASH: bcrypt.hashSync(PASSWORD, 8),
    SIMULATE_DEVICES: '0',
  });
});
after(async () => app?.stop());

const basic = (user: string, pass: string): string => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

async function token(username: string, password: string): Promise<Response> {
  return fetch(`${app.url}/auth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: 'node-red-editor', grant_type: 'password', scope: '*', username, password }),
  });
}

test('the admin API refuses anonymous access and accepts a logged-in user', async () => {
  assert.equal((await fetch(`${app.url}/flows`)).status, 401);
  const bad = await token('operator', 'wrong');
  assert.ok(bad.status === 401 || bad.status === 403, `wrong password refused (${bad.status})`);
  await bad.text();
  const good = await token('operator', PASSWORD);
  assert.equal(good.status, 200, await good.clone().text());
  const { access_token: accessToken } = (await good.json()) as { access_token: string };
  const flows = await fetch(`${app.url}/flows`, { headers: { Authorization: `Bearer ${accessToken}` } });
  assert.equal(flows.status, 200);
  assert.ok(Array.isArray(await flows.json()));
});

test('the editor page asks for a login', async () => {
  const settings = await fetch(`${app.url}/settings`);
  assert.equal(settings.status, 401);
  const login = (await (await fetch(`${app.url}/auth/login`)).json()) as { type: string };
  assert.equal(login.type, 'credentials');
});

for (const route of ['/dashboard/', '/recordings', '/metrics']) {
  test(`${route} needs the login`, async () => {
    assert.equal((await fetch(`${app.url}${route}`)).status, 401);
    assert.equal((await fetch(`${app.url}${route}`, { headers: { Authorization: basic('operator', 'wrong') } })).status, 401);
    const ok = await fetch(`${app.url}${route}`, { headers: { Authorization: basic('operator', PASSWORD) } });
    assert.equal(ok.status, 200, `${route} with the right credentials`);
  });
}

test('health stays open but gives no detail to remote anonymous callers', async () => {
  const live = await fetch(`${app.url}/health/live`);
  assert.equal(live.status, 200);
});

test('no secret reaches the log', () => {
  assert.doesNotMatch(app.log(), new RegExp(PASSWORD));
});
