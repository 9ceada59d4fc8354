/**
 * The API with a login and a real InfluxDB 1.x: every route (and the event
 * stream) needs the dashboard login; readings ranges and aggregated windows
 * come from the database the app writes to.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import bcrypt from 'bcryptjs';
import { startApp, RunningApp } from '../support/app';
import { Service, startInflux1 } from '../support/services';

const PASSWORD = 'api-test-password';
const AUTH = { Authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}` };
let influx: Service;
let app: RunningApp;

before(async () => {
  influx = await startInflux1();
  await fetch(`${influx.url}/query`, { method: 'POST', body: new URLSearchParams({ q: 'CREATE DATABASE iot' }) });
  app = await startApp({
    SIMULATE_DEVICES: '1',
    INFLUX_URL: influx.url,
    INFLUX_VERSION: '1',
    INFLUX_DB: 'iot',
    ADMIN_USER: 'admin',
    ADMIN_PASSWORD_HASH: bcrypt.hashSync(PASSWORD, 4),
  });
});
after(async () => {
  if (app && app.proc.exitCode === null) await app.stop();
  await influx?.stop();
});

async function get(path: string, headers: Record<string, string> = AUTH): Promise<{ status: number; json: any }> {
  const res = await fetch(`${app.url}${path}`, { headers });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

async function poll<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${app.log().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

test('every API route, the document and the event stream need the login', async () => {
  for (const path of ['/api/openapi.json', '/api/devices', '/api/alerts', '/api/events/stream']) {
    assert.equal((await fetch(`${app.url}${path}`)).status, 401, `${path} without a login`);
    const wrong = await fetch(`${app.url}${path}`, { headers: { Authorization: `Basic ${Buffer.from('admin:wrong').toString('base64')}` } });
    assert.equal(wrong.status, 401, `${path} with a wrong password`);
  }
  const post = await fetch(`${app.url}/api/cameras/raspberry-01/servo`, { method: 'POST', body: '{"direction":"left"}' });
  assert.equal(post.status, 401);
  assert.equal((await get('/api/openapi.json')).status, 200);
  const ctl = new AbortController();
  const res = await fetch(`${app.url}/api/events/stream`, { headers: AUTH, signal: ctl.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') || '', /text\/event-stream/);
  ctl.abort();
});

test('readings: a time range and aggregated windows through InfluxDB', async () => {
  const device = await poll('a device with a temperature', async () => {
    const r = await get('/api/devices');
    return r.status === 200 ? (r.json as Array<{ deviceId: string; metrics: Record<string, unknown> }>).find((d) => d.metrics.temperature) : undefined;
  });
  const id = encodeURIComponent(device.deviceId);
  const rows = await poll('stored points', async () => {
    const r = await get(`/api/devices/${id}/readings?metric=temperature&start=-10m&limit=50`);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    return r.json.length > 0 ? r.json : undefined;
  });
  assert.equal(rows[0].deviceId, device.deviceId);
  assert.ok(Number.isFinite(rows[0].ts));
  const agg = await get(`/api/devices/${id}/readings/aggregate?metric=temperature&start=-10m&interval=1m&fn=mean,max`);
  assert.equal(agg.status, 200, JSON.stringify(agg.json));
  assert.ok(agg.json.length > 0);
  // One row per window and function: {ts, deviceId, metric, fn, value}.
  const byWindow = new Map<number, Record<string, number>>();
  for (const r of agg.json as Array<{ ts: number; fn: string; value: number; metric: string }>) {
    assert.equal(r.metric, 'temperature');
    byWindow.set(r.ts, { ...byWindow.get(r.ts), [r.fn]: r.value });
  }
  const both = [...byWindow.values()].filter((w) => Number.isFinite(w.mean) && Number.isFinite(w.max));
  assert.ok(both.length > 0, JSON.stringify(agg.json.slice(0, 3)));
  for (const w of both) assert.ok(w.max >= w.mean, JSON.stringify(w));
});
