/**
 * The device registry through the HTTP API of the app as shipped, with logins
 * (an admin and a viewer): a CSV import with a bad row, edits, export that
 * imports back, 403 for the viewer, the audit record; then a device that is
 * registered sends a reading that fires an alert, and the email (a real SMTP
 * server) and the webhook (a real HTTP receiver) carry its name and location,
 * as do GET /api/devices and GET /api/alerts. The registry survives a restart.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import bcrypt from 'bcryptjs';
import mqtt from 'mqtt';
import { startApp, RunningApp } from '../../support/app';
import { tempDir } from '../../support/services';
import { HttpReceiver, SmtpReceiver, waitFor } from '../../alert-notifier/receivers';

const ADMIN = { user: 'admin', password: 'registry-admin-pw' };
const VIEWER = { user: 'vic', password: 'registry-viewer-pw' };
const auth = (u: { user: string; password: string }): string => `Basic ${Buffer.from(`${u.user}:${u.password}`).toString('base64')}`;
const dataDir = tempDir('api-registry');
const smtp = new SmtpReceiver();
const hooks = new HttpReceiver();
let env: Record<string, string>;
let app: RunningApp;

before(async () => {
  await Promise.all([smtp.start(), hooks.start()]);
  env = {
    SIMULATE_DEVICES: '0',
    SYSTEM_HEALTH_INTERVAL_S: '0',
    DATA_DIR: dataDir,
    ADMIN_USER: ADMIN.user,
    ADMIN_PASSWORD_HASH: bcrypt.hashSync(ADMIN.password, 4),
    VIEWER_USER: VIEWER.user,
    VIEWER_PASSWORD_HASH: bcrypt.hashSync(VIEWER.password, 4),
    SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    ALERT_EMAIL_TO: 'ops@example.com',
    ALERT_EMAIL_FROM: 'iot@example.com',
    WEBHOOK_URL: `${hooks.url}/alerts`,
  };
  app = await startApp(env);
});
after(async () => {
  if (app && app.proc.exitCode === null) await app.stop();
  await Promise.all([smtp.stop(), hooks.stop()]);
});

async function call(
  method: string,
  path: string,
  opts: { body?: string | unknown; type?: string; as?: typeof ADMIN | null } = {},
): Promise<{ status: number; json: any; text: string; type: string }> {
  const headers: Record<string, string> = {};
  if (opts.as !== null) headers.authorization = auth(opts.as || ADMIN);
  if (opts.body !== undefined) headers['content-type'] = opts.type || 'application/json';
  const res = await fetch(`${app.url}/api${path}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, type: res.headers.get('content-type') || '' };
}

async function poll<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${app.log().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const CSV = [
  'id,name,location,type,owner',
  'reg-cam-1,Front door,Entrance,camera,ops',
  '"reg-cam-2","Back yard, east","Garden",camera,',
  ',No id,Nowhere,,',
  `reg-cam-3,${'x'.repeat(101)},Hall,,`,
  'reg-sensor-1,Boiler room sensor,Basement,environmental,facilities',
].join('\r\n');

test('a CSV import with a bad row: the good rows go in, each problem names its row, line and field; the viewer is refused', async () => {
  const denied = await call('POST', '/registry/import', { body: CSV, type: 'text/csv', as: VIEWER });
  assert.equal(denied.status, 403);
  assert.match(denied.json.error, /vic may read, not change/);
  assert.equal((await call('GET', '/registry/export', { as: null })).status, 401);

  const r = await call('POST', '/registry/import', { body: CSV, type: 'text/csv' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.rows, r.json.added, r.json.updated, r.json.unchanged], [5, 3, 0, 0]);
  assert.deepEqual(
    r.json.errors.map((e: any) => [e.row, e.line, e.field]),
    [
      [3, 4, 'id'],
      [4, 5, 'name'],
    ],
  );
  assert.match(r.json.errors[1].error, /name is longer than 100 characters/);
  assert.equal(r.json.errors[1].id, 'reg-cam-3');

  const list = await call('GET', '/registry/export', { as: VIEWER });
  assert.equal(list.status, 200, 'a viewer may read');
  assert.deepEqual(
    list.json.map((e: any) => [e.id, e.name, e.location, e.type, e.owner]),
    [
      ['reg-cam-1', 'Front door', 'Entrance', 'camera', 'ops'],
      ['reg-cam-2', 'Back yard, east', 'Garden', 'camera', undefined],
      ['reg-sensor-1', 'Boiler room sensor', 'Basement', 'environmental', 'facilities'],
    ],
  );

  const bad = await call('POST', '/registry/import', { body: 'id,name,colour\na,b,c\n', type: 'text/csv' });
  assert.equal(bad.status, 400);
  assert.match(bad.json.error, /unknown column "colour"/);
  const notJson = await call('POST', '/registry/import', { body: { id: 'x' } });
  assert.equal(notJson.status, 400);
  assert.match(notJson.json.error, /body/);
});

test('edit one device (PUT replaces, PATCH changes some fields, DELETE removes); bad fields are 400 naming the field', async () => {
  const put = await call('PUT', '/devices/reg-sensor-1/registry', { body: { name: 'Boiler', location: 'Basement, north wall' } });
  assert.equal(put.status, 200, put.text);
  assert.deepEqual(
    [put.json.id, put.json.name, put.json.location, put.json.type, put.json.owner],
    ['reg-sensor-1', 'Boiler', 'Basement, north wall', undefined, undefined],
  );
  const patch = await call('PATCH', '/devices/reg-sensor-1/registry', { body: { owner: 'facilities' } });
  assert.deepEqual([patch.json.name, patch.json.owner], ['Boiler', 'facilities']);
  const slash = await call('PUT', `/devices/${encodeURIComponent('garden/lamp 2')}/registry`, { body: { name: 'Lamp' } });
  assert.equal(slash.status, 200, 'a Zigbee2MQTT name with / is sent as %2F');
  assert.equal((await call('GET', `/devices/${encodeURIComponent('garden/lamp 2')}/registry`)).json.name, 'Lamp');

  const long = await call('PUT', '/devices/reg-sensor-1/registry', { body: { location: 'l'.repeat(201) } });
  assert.deepEqual([long.status, long.json.field], [400, 'location']);
  const ctl = await call('PATCH', '/devices/reg-sensor-1/registry', { body: { name: 'two\nlines' } });
  assert.deepEqual([ctl.status, ctl.json.field], [400, 'name']);
  const other = await call('PUT', '/devices/reg-sensor-1/registry', { body: { id: 'someone-else', name: 'x' } });
  assert.deepEqual([other.status, other.json.field], [400, 'id']);
  assert.equal((await call('PUT', '/devices/reg-sensor-1/registry', { body: { name: 'x' }, as: VIEWER })).status, 403);
  assert.equal((await call('DELETE', '/devices/reg-sensor-1/registry', { as: VIEWER })).status, 403);

  assert.equal((await call('DELETE', `/devices/${encodeURIComponent('garden/lamp 2')}/registry`)).status, 200);
  assert.equal((await call('GET', `/devices/${encodeURIComponent('garden/lamp 2')}/registry`)).status, 404);
  assert.equal((await call('DELETE', '/devices/never-there/registry')).status, 404);
});

test('export as CSV imports back unchanged; the audit records every change with who', async () => {
  const csv = await call('GET', '/registry/export?format=csv');
  assert.equal(csv.status, 200);
  assert.match(csv.type, /^text\/csv/);
  const lines = csv.text.trim().split('\r\n');
  assert.equal(lines[0], 'id,name,location,type,owner');
  assert.ok(lines.includes('reg-cam-2,"Back yard, east",Garden,camera,'), csv.text);
  const again = await call('POST', '/registry/import', { body: csv.text, type: 'text/csv' });
  assert.deepEqual([again.json.added, again.json.updated, again.json.unchanged, again.json.errors.length], [0, 0, 3, 0]);
  const json = await call('POST', '/registry/import', {
    body: [
      { id: 'reg-cam-2', owner: 'security' },
      { id: 'reg-cam-9', name: 7 },
    ],
  });
  assert.deepEqual([json.json.updated, json.json.errors[0].field, json.json.errors[0].row], [1, 'name', 2]);

  const audit = await call('GET', '/audit?action=registry&limit=50');
  assert.equal(audit.status, 200);
  const entries = audit.json as Array<Record<string, string>>;
  assert.ok(entries.every((e) => e.user === ADMIN.user && e.role === 'admin' && e.action === 'registry' && e.outcome === 'accepted'));
  const targets = entries.map((e) => `${e.target}: ${e.detail}`);
  assert.ok(
    targets.some((t) => /^import: CSV: 5 rows, 3 added, 0 updated, 0 unchanged, 2 errors$/.test(t)),
    targets.join('\n'),
  );
  assert.ok(
    targets.some((t) => /^reg-sensor-1: set name=Boiler, location=Basement, north wall$/.test(t)),
    targets.join('\n'),
  );
  assert.ok(targets.some((t) => /^reg-sensor-1: change owner=facilities$/.test(t)));
  assert.ok(targets.some((t) => /^garden\/lamp 2: delete$/.test(t)));
  assert.ok(!entries.some((e) => e.user === VIEWER.user), 'refused requests change nothing and are not recorded as changes');
});

test('a registered device: GET /api/devices and /api/alerts, the email and the webhook show its name and location', { timeout: 60_000 }, async () => {
  const client = await mqtt.connectAsync(app.mqttUrl, { reconnectPeriod: 0 });
  try {
    await client.publishAsync('lifecompanion/sensors/reg-cam-1/environmental', JSON.stringify({ temperature: 21, humidity: 50, battery: 10 }), { qos: 1 });
  } finally {
    await client.endAsync();
  }
  const dev = await poll('reg-cam-1 in GET /api/devices', async () => {
    const r = await call('GET', '/devices/reg-cam-1');
    return r.status === 200 ? r.json : undefined;
  });
  assert.deepEqual([dev.name, dev.location, dev.type, dev.owner], ['Front door', 'Entrance', 'camera', 'ops']);

  const alert = await poll('the battery-low alert of reg-cam-1', async () => {
    const r = await call('GET', '/alerts');
    return (r.json?.active || []).find((a: any) => a.ruleId === 'battery-low' && a.deviceId === 'reg-cam-1');
  });
  assert.deepEqual(alert.device, { id: 'reg-cam-1', name: 'Front door', location: 'Entrance' });

  await waitFor('the webhook', () => hooks.requests.some((r) => (r.json as any)?.alert?.deviceId === 'reg-cam-1'), 30_000);
  const hook = hooks.requests.find((r) => (r.json as any)?.alert?.deviceId === 'reg-cam-1')!.json as any;
  assert.equal(hook.event, 'fired');
  assert.deepEqual(hook.device, { id: 'reg-cam-1', name: 'Front door', location: 'Entrance' });

  await waitFor('the email', () => smtp.mails.some((m) => /reg-cam-1/.test(m.raw)), 30_000);
  const mail = smtp.mails.find((m) => /reg-cam-1/.test(m.raw))!;
  assert.equal(mail.headers.subject, '[WARNING] Battery low on reg-cam-1 – Front door, Entrance (fired)');
  assert.match(mail.raw.replace(/=\r?\n/g, ''), /Device: Front door \(reg-cam-1\) =?(C2=B7|·) Entrance/);
});

test('the registry survives a restart', { timeout: 90_000 }, async () => {
  await app.stop();
  app = await startApp(env);
  const list = await poll('the API after the restart', async () => {
    const r = await call('GET', '/registry/export');
    return r.status === 200 ? r.json : undefined;
  });
  assert.deepEqual(
    list.map((e: any) => [e.id, e.name, e.owner]),
    [
      ['reg-cam-1', 'Front door', 'ops'],
      ['reg-cam-2', 'Back yard, east', 'security'],
      ['reg-sensor-1', 'Boiler', 'facilities'],
    ],
  );
});
