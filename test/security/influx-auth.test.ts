/**
 * INFLUX_URL=http://user:password@host works against an InfluxDB 1.x with
 * authentication on: fetch refuses URLs with credentials, so the writer sends
 * them as Basic auth. Readings of the simulated devices land in the database,
 * and the password (plain or URL-encoded) appears in no /health/ready answer,
 * /metrics text, API answer or log line.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startApp, RunningApp } from '../support/app';
import { missing, Service, startInflux1 } from '../support/services';

const skip = missing('influxd');
const USER = 'writer';
const PASSWORD = 'in@flux-pw-77';
const DB = 'iot';
let influx: Service | undefined;
let app: RunningApp | undefined;

before(
  async () => {
    if (skip) return;
    influx = await startInflux1({ auth: { user: USER, password: PASSWORD } });
    const url = new URL(influx.url);
    url.username = USER;
    url.password = encodeURIComponent(PASSWORD);
    app = await startApp({ INFLUX_URL: url.toString(), INFLUX_VERSION: '1', INFLUX_DB: DB, SIMULATE_DEVICES: '1', LOG_LEVEL: 'info' });
  },
  { timeout: 90_000 },
);
after(async () => {
  if (app && app.proc.exitCode === null) await app.stop();
  await influx?.stop();
});

async function count(auth: string | undefined): Promise<{ status: number; points: number }> {
  const headers: Record<string, string> = auth ? { Authorization: auth } : {};
  const res = await fetch(`${influx!.url}/query?db=${DB}&q=${encodeURIComponent('SELECT count(*) FROM /.*/')}`, { headers });
  const body = (await res.json()) as { results?: Array<{ series?: Array<{ values: number[][] }> }> };
  let points = 0;
  for (const s of body.results?.[0]?.series || []) for (const v of s.values) points += v.slice(1).reduce((a, b) => Math.max(a, Number(b) || 0), 0);
  return { status: res.status, points };
}

test('readings are written to an InfluxDB with authentication on, through the credentials in INFLUX_URL', { skip, timeout: 90_000 }, async () => {
  const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
  assert.equal((await count(undefined)).status, 401, 'the server refuses anonymous queries: auth is really on');
  const end = Date.now() + 60_000;
  let last = { status: 0, points: 0 };
  while (Date.now() < end) {
    last = await count(basic).catch(() => last);
    if (last.points > 0) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.ok(last.points > 0, `points written (last answer HTTP ${last.status})\n${app!.log().slice(-2000)}`);
  // The first write may have met the database before the writer created it (spooled, then
  // replayed): the writer's health turns green once that backlog is written.
  type Ready = { components?: Record<string, { kind: string; ok: boolean; detail: string }> };
  let writer: { ok: boolean } | undefined;
  for (const until = Date.now() + 20_000; Date.now() < until; await new Promise((r) => setTimeout(r, 500))) {
    const ready = (await (await fetch(`${app!.url}/health/ready`)).json()) as Ready;
    writer = Object.values(ready.components || {}).find((c) => c.kind === 'influxdb-writer');
    if (writer?.ok) break;
  }
  assert.ok(writer?.ok, `the writer reports healthy: ${JSON.stringify(writer)}`);
});

test('the password appears in no health answer, metrics, API answer or log line', { skip, timeout: 30_000 }, async () => {
  const texts = [
    await (await fetch(`${app!.url}/health/ready`)).text(),
    await (await fetch(`${app!.url}/metrics`)).text(),
    await (await fetch(`${app!.url}/api/devices`)).text(),
    await (await fetch(`${app!.url}/api/audit`)).text(),
    app!.log(),
  ];
  for (const t of texts) {
    assert.doesNotMatch(t, /in@flux-pw-77/);
    assert.doesNotMatch(t, /in%40flux-pw-77/);
  }
  assert.match(texts[0], /influxdb-writer/, 'the readiness detail was given (loopback) and checked');
});
