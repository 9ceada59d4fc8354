/**
 * Roles against the app as shipped: admin (ADMIN_PASSWORD_HASH), operator
 * (OPERATOR_PASSWORD_HASH) and a viewer from the users file. The editor is
 * for admins only; viewers read the API and get 403 on every change; an
 * operator's ack and rule change, a broker operator's MQTT control and a
 * refused anonymous command all land in the audit record with who, when and
 * where; in Chromium the viewer's Alerts page has no working button and the
 * operator's ack acts under the login name.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import bcrypt from 'bcryptjs';
import mqtt from 'mqtt';
import type { Browser } from 'playwright-core';
import { startApp, RunningApp } from '../support/app';
import { missing, tempDir } from '../support/services';
import { launchChromium, textOf, waitForText, watchErrors } from '../dashboard/browser';

const PW = { admin: 'admin-pass-1', operator: 'operator-pass-2', vic: 'viewer-pass-3', ops: 'broker-ops-4' };
let app: RunningApp;
let started = 0;

before(async () => {
  const dataDir = tempDir('roles');
  fs.writeFileSync(path.join(dataDir, 'users.json'), JSON.stringify([{ username: 'vic', passwordHash: bcrypt.hashSync(PW.vic, 4), role: 'viewer' }]));
  fs.writeFileSync(path.join(dataDir, 'mqtt-users.json'), JSON.stringify([{ username: 'ops', passwordHash: bcrypt.hashSync(PW.ops, 4), role: 'operator' }]));
  started = Date.now();
  app = await startApp({
    DATA_DIR: dataDir,
    SIMULATE_DEVICES: '0',
    LOG_LEVEL: 'info',
    ADMIN_PASSWORD_HASH: bcrypt.hashSync(PW.admin, 4),
    OPERATOR_PASSWORD_HASH: bcrypt.hashSync(PW.operator, 4),
  });
});
after(async () => {
  if (app && app.proc.exitCode === null) await app.stop();
});

const basic = (user: keyof typeof PW): string => `Basic ${Buffer.from(`${user}:${PW[user]}`).toString('base64')}`;

async function call(user: keyof typeof PW, method: string, p: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${app.url}${p}`, {
    method,
    headers: { Authorization: basic(user), 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    /* text */
  }
  return { status: res.status, json };
}

async function poll<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${app.log().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** A device with a low battery: the shipped rule battery-low fires at once. */
async function lowBattery(device: string): Promise<{ id: string }> {
  const c = await mqtt.connectAsync(app.mqttUrl, { reconnectPeriod: 0 });
  await c.publishAsync(`lifecompanion/sensors/${device}/environmental`, JSON.stringify({ temperature: 20, humidity: 50, pressure: 1000, battery: 12 }), {
    qos: 1,
  });
  await c.endAsync();
  return poll(`the battery-low alert of ${device}`, async () => {
    const r = await call('vic', 'GET', '/api/alerts?state=firing');
    return r.json.active?.find((a: { deviceId: string; ruleId: string }) => a.deviceId === device && a.ruleId === 'battery-low');
  });
}

async function token(user: keyof typeof PW): Promise<number> {
  const res = await fetch(`${app.url}/auth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: 'node-red-editor', grant_type: 'password', scope: '*', username: user, password: PW[user] }),
  });
  await res.text();
  return res.status;
}

test('the editor is for admins only: operator and viewer get no token and no /flows', async () => {
  assert.equal(await token('admin'), 200);
  for (const user of ['operator', 'vic'] as const) {
    const status = await token(user);
    assert.ok(status === 401 || status === 403, `${user}: token refused (${status})`);
    assert.equal((await fetch(`${app.url}/flows`, { headers: { Authorization: basic(user) } })).status, 401, `${user}: /flows`);
  }
  // Everyone logs in to the dashboard.
  for (const user of ['admin', 'operator', 'vic'] as const) {
    assert.equal((await fetch(`${app.url}/dashboard/`, { headers: { Authorization: basic(user) } })).status, 200, `${user}: dashboard`);
  }
});

test('a viewer reads the API and gets a clear 403 on every change', async () => {
  await poll('the flows to start', async () => ((await call('vic', 'GET', '/api/rules')).status === 200 ? true : undefined), 60_000);
  assert.deepEqual((await call('vic', 'GET', '/api/me')).json, { username: 'vic', role: 'viewer', loginRequired: true });
  const alert = await lowBattery('role-dev-1');
  const refused = [
    await call('vic', 'POST', `/api/alerts/${encodeURIComponent(alert.id)}/ack`, { reason: 'x' }),
    await call('vic', 'POST', `/api/alerts/${encodeURIComponent(alert.id)}/resolve`, {}),
    await call('vic', 'PUT', '/api/rules/threshold-alert', []),
    await call('vic', 'POST', '/api/cameras/raspberry-01/servo', { direction: 'left' }),
  ];
  for (const r of refused) {
    assert.equal(r.status, 403, JSON.stringify(r.json));
    assert.match(r.json.error, /vic may read, not change \(role viewer\)/);
  }
  const still = await call('vic', 'GET', '/api/alerts');
  assert.equal(still.json.active.find((a: { id: string }) => a.id === alert.id)?.state, 'firing', 'the viewer changed nothing');
  assert.equal(
    (await call('vic', 'GET', '/api/audit')).json.filter((e: { user: string }) => e.user === 'vic').length,
    0,
    'an API refusal happens before anything is delivered',
  );
});

test('an operator acks and changes rules; the audit shows who, when and from where', async () => {
  const alert = await lowBattery('role-dev-2');
  const ack = await call('operator', 'POST', `/api/alerts/${encodeURIComponent(alert.id)}/ack`, { reason: 'battery ordered' });
  assert.equal(ack.status, 200, JSON.stringify(ack.json));
  assert.equal(ack.json.state, 'acknowledged');
  assert.equal(ack.json.acknowledgedBy, 'operator');
  const rules = (await call('operator', 'GET', '/api/rules/threshold-alert')).json;
  assert.equal((await call('operator', 'PUT', '/api/rules/threshold-alert', rules)).status, 200);

  const audit = (await call('vic', 'GET', '/api/audit?limit=50')).json as Array<Record<string, string>>;
  const a = audit.find((e) => e.action === 'ack' && e.target === alert.id);
  assert.ok(a, JSON.stringify(audit));
  assert.equal(a.user, 'operator');
  assert.equal(a.role, 'operator');
  assert.match(a.from, /^(::ffff:)?127\.0\.0\.1$/);
  assert.equal(a.detail, 'battery ordered');
  assert.equal(a.outcome, 'accepted');
  const t = Date.parse(a.ts);
  assert.ok(t >= started && t <= Date.now(), `when: ${a.ts}`);
  const r = audit.find((e) => e.action === 'rules');
  assert.deepEqual([r?.user, r?.role, r?.target, r?.detail], ['operator', 'operator', 'threshold-alert', `${rules.length} rules`]);
  assert.ok(audit.indexOf(r!) < audit.indexOf(a), 'newest first');
  // Also kept on disk, one JSON line each.
  assert.match(fs.readFileSync(path.join(app.dataDir, 'audit.jsonl'), 'utf8'), new RegExp(`"action":"ack","target":"${alert.id}"`));
});

test('control over the embedded broker is recorded as mqtt:<clientId>; a refused anonymous command too', async () => {
  const alert = await lowBattery('role-dev-3');
  const ops = await mqtt.connectAsync(app.mqttUrl, { reconnectPeriod: 0, username: 'ops', password: PW.ops, clientId: 'ops-console-1' });
  await ops.publishAsync('alerts/control/resolve', JSON.stringify({ alertId: alert.id, by: 'ops', reason: 'done' }), { qos: 1 });
  await ops.endAsync();
  const anon = await mqtt.connectAsync(app.mqttUrl, { reconnectPeriod: 0, clientId: 'anon-prober' });
  await anon.publishAsync('commands/raspberry-01/servo', JSON.stringify({ angle: 10 }), { qos: 0 }).catch(() => undefined);
  // The broker closes a client whose publish it refuses: give the packet time to arrive, then let go.
  await new Promise((r) => setTimeout(r, 500));
  await anon.endAsync(true).catch(() => undefined);
  let last: unknown;
  const audit = await poll(
    'both MQTT entries',
    async () => {
      const list = (await call('vic', 'GET', '/api/audit')).json as Array<Record<string, string>>;
      last = list;
      return list.some((e) => e.from === 'mqtt:ops-console-1') && list.some((e) => e.from === 'mqtt:anon-prober') ? list : undefined;
    },
    10_000,
  ).catch((err: Error) => {
    throw new Error(`${JSON.stringify(last)}\n${err.message.slice(0, 300)}`);
  });
  const res = audit.find((e) => e.from === 'mqtt:ops-console-1')!;
  assert.deepEqual([res.user, res.role, res.action, res.target, res.outcome], ['ops', 'operator', 'resolve', alert.id, 'accepted']);
  const cmd = audit.find((e) => e.from === 'mqtt:anon-prober')!;
  assert.deepEqual([cmd.user, cmd.action, cmd.target, cmd.outcome], ['anonymous', 'command', 'raspberry-01', 'refused']);
  await poll(
    'the alert resolved by the MQTT operator',
    async () => {
      const list = (await call('vic', 'GET', '/api/alerts')).json;
      return list.active.some((x: { id: string }) => x.id === alert.id) ? undefined : true;
    },
    10_000,
  );
});

const noChromium = missing('chromium');

test("Chromium: a viewer sees disabled buttons and a read-only note; an operator's ack acts as the login", { skip: noChromium, timeout: 120_000 }, async () => {
  const alert = await lowBattery('role-dev-4');
  const row = `[data-alert="${alert.id}"]`;
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const viewer = await browser.newContext({ httpCredentials: { username: 'vic', password: PW.vic, send: 'always' } });
    const vp = await viewer.newPage();
    const vErrors = watchErrors(vp);
    await vp.goto(`${app.url}/dashboard/alerts`, { waitUntil: 'domcontentloaded' });
    await waitForText(vp, `${row} [data-testid="alert-state"]`, /^firing$/, 30_000);
    await waitForText(vp, '[data-testid="alerts-readonly"]', /Read-only: vic is a viewer/, 10_000);
    assert.equal(await vp.isDisabled(`${row} [data-testid="alert-ack"]`), true, 'viewer: Acknowledge disabled');
    assert.equal(await vp.isDisabled(`${row} [data-testid="alert-resolve"]`), true, 'viewer: Resolve disabled');
    assert.deepEqual(vErrors, []);
    // A viewer who sends the ack through the page's socket anyway (as the button would) is refused by the app.
    const sent = await vp.evaluate((id) => {
      const app = (document.querySelector('#app') as unknown as { __vue_app__?: { _context: { provides: Record<string, { emit(...a: unknown[]): void }> } } })
        .__vue_app__;
      const socket = app?._context.provides.$socket;
      if (!socket) return false;
      socket.emit('widget-send', 'tpl-alerts-active', { topic: 'ack', payload: { action: 'ack', alertId: id, by: 'vic', reason: 'forged' } });
      return true;
    }, alert.id);
    assert.equal(sent, true, "the page's socket was found");
    const refused = await poll(
      'the refused ack in the audit record',
      async () =>
        (await call('vic', 'GET', '/api/audit?user=vic')).json.find(
          (e: { target: string; outcome: string }) => e.target === alert.id && e.outcome === 'refused',
        ),
      10_000,
    );
    assert.deepEqual([refused.action, refused.role], ['ack', 'viewer']);
    assert.equal(
      (await call('vic', 'GET', '/api/alerts')).json.active.find((a: { id: string }) => a.id === alert.id)?.state,
      'firing',
      'the forged ack changed nothing',
    );

    const operator = await browser.newContext({ httpCredentials: { username: 'operator', password: PW.operator, send: 'always' } });
    const op = await operator.newPage();
    await op.goto(`${app.url}/dashboard/alerts`, { waitUntil: 'domcontentloaded' });
    await waitForText(op, `${row} [data-testid="alert-state"]`, /^firing$/, 30_000);
    await poll('the login name in the who field', async () => ((await op.inputValue('[data-testid="alert-by"]')) === 'operator' ? true : undefined), 10_000);
    await op.fill('[data-testid="alert-reason"]', 'from the dashboard');
    await op.click(`${row} [data-testid="alert-ack"]`);
    await waitForText(op, `${row} [data-testid="alert-state"]`, /^acknowledged$/, 20_000);
    assert.equal(await textOf(op, `${row} [data-testid="alert-acked-by"]`), 'by operator: from the dashboard');
    const entry = (await call('vic', 'GET', '/api/audit?action=ack')).json.find((e: { target: string }) => e.target === alert.id);
    assert.deepEqual([entry?.user, entry?.role, entry?.outcome], ['operator', 'operator', 'accepted']);
    assert.match(entry.from, /127\.0\.0\.1/);

    // The System page lists the record.
    await vp.goto(`${app.url}/dashboard/system`, { waitUntil: 'domcontentloaded' });
    await waitForText(vp, `[data-testid="audit-list"] tr[data-action="ack"][data-user="operator"]`, new RegExp(alert.id), 20_000);
  } finally {
    await browser?.close();
  }
});
