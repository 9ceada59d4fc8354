/**
 * Commands on the Devices page, in headless Chromium, against the app as
 * shipped on a real Mosquitto, with an operator and a viewer login: the
 * operator picks a device by its row, sends a relay ON (published on the
 * Zigbee2MQTT set topic) and a set_interval (on commands/{id}/config); the
 * page lists both and follows their status live as the device answers
 * (state message, ack), and shows a command another client sent through the
 * API expire. Both are in the audit record under the operator's login. The
 * viewer's buttons are disabled and the API refuses the viewer's command.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import bcrypt from 'bcryptjs';
import mqtt from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { startApp, RunningApp } from '../support/app';
import { missing, startMosquitto, tempDir, Service } from '../support/services';
import { launchChromium, textOf, waitForText, watchErrors } from './browser';

const skip = missing('chromium', 'mosquitto');
const OPS = { username: 'ops', password: 'commands-page-ops' };
const VIEWER = { username: 'wall', password: 'commands-page-viewer' };
const auth = (u: { username: string; password: string }): string => `Basic ${Buffer.from(`${u.username}:${u.password}`).toString('base64')}`;
const DEVICE = 'hall-plug';
let broker: Service | undefined;
let app: RunningApp | undefined;
let browser: Browser | undefined;

before(
  async () => {
    if (skip) return;
    broker = await startMosquitto();
    app = await startApp({
      MQTT_URL: broker.url,
      SIMULATE_DEVICES: '0',
      SYSTEM_HEALTH_INTERVAL_S: '0',
      OPERATOR_USER: OPS.username,
      OPERATOR_PASSWORD_HASH: bcrypt.hashSync(OPS.password, 4),
      VIEWER_USER: VIEWER.username,
      VIEWER_PASSWORD_HASH: bcrypt.hashSync(VIEWER.password, 4),
      DATA_DIR: tempDir('commands-page'),
    });
    browser = await launchChromium();
  },
  { timeout: 120_000 },
);

after(async () => {
  await browser?.close().catch(() => undefined);
  if (app && app.proc.exitCode === null) await app.stop();
  await broker?.stop();
});

async function api(method: string, p: string, body?: unknown, who = OPS): Promise<{ status: number; json: any }> {
  const res = await fetch(`${app!.url}${p}`, {
    method,
    headers: { authorization: auth(who), 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}
async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${app!.log().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
async function pageAs(who: { username: string; password: string }): Promise<{ page: Page; errors: string[] }> {
  const context = await browser!.newContext({ viewport: { width: 1400, height: 1000 }, httpCredentials: who });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(`${app!.url}/dashboard/devices`, { waitUntil: 'domcontentloaded' });
  return { page, errors };
}
const row = (id: string) => `[data-testid="cmd-list"] tr[data-command="${id}"]`;

test('Devices page: relay and set_interval sent by an operator, status followed live, audited; a viewer cannot', { skip, timeout: 180_000 }, async () => {
  const device = await mqtt.connectAsync(broker!.url, { reconnectPeriod: 0 });
  const got: Array<{ topic: string; text: string }> = [];
  device.on('message', (topic, p) => got.push({ topic, text: p.toString() }));
  await device.subscribeAsync(['zigbee2mqtt/+/set', 'commands/#'], { qos: 1 });
  // The plug reports its state (Zigbee2MQTT), so the dashboard knows it and the page guesses its firmware.
  await until('the device seen', async () => {
    await device.publishAsync(`zigbee2mqtt/${DEVICE}`, '{"state":"OFF","linkquality":80}', { qos: 1 });
    return (await api('GET', `/api/devices/${DEVICE}`)).status === 200 ? true : undefined;
  });

  const { page, errors } = await pageAs(OPS);
  await page.waitForSelector(`tr[data-device="${DEVICE}"] [data-testid="registry-commands"]`);
  await page.click(`tr[data-device="${DEVICE}"] [data-testid="registry-commands"]`);
  assert.equal(await page.inputValue('[data-testid="cmd-device"]'), DEVICE);
  assert.equal(await page.inputValue('[data-testid="cmd-firmware"]'), 'zigbee2mqtt', 'firmware guessed from the sensor type');

  // Relay ON: published on the device's set topic, listed as sent, executed once the plug reports ON.
  await page.click('[data-testid="cmd-relay-on"]');
  await waitForText(page, '[data-testid="cmd-status"]', new RegExp(`^Sent relay ON \\(zigbee2mqtt\\) to ${DEVICE} on zigbee2mqtt/${DEVICE}/set`));
  const set = await until('the set message', () => got.find((m) => m.topic === `zigbee2mqtt/${DEVICE}/set`));
  assert.deepEqual(JSON.parse(set.text), { state: 'ON' });
  const relayId = (await api('GET', `/api/devices/${DEVICE}/commands`)).json[0].id as string;
  await waitForText(page, `${row(relayId)} [data-testid="cmd-state"]`, /^sent$/);
  assert.match(await textOf(page, `${row(relayId)} td[data-label="kind"]`), /relay ON \(zigbee2mqtt\)/);
  await device.publishAsync(`zigbee2mqtt/${DEVICE}`, '{"state":"ON","linkquality":80}', { qos: 1 });
  await waitForText(page, `${row(relayId)} [data-testid="cmd-state"]`, /^executed$/);

  // set_interval on the Pi seed's topic; the device acknowledges it as executed.
  await page.fill('[data-testid="cmd-interval"]', '30');
  await page.click('[data-testid="cmd-interval-send"]');
  const cfg = await until('the config message', () => got.find((m) => m.topic === `commands/${DEVICE}/config`));
  const body = JSON.parse(cfg.text);
  assert.deepEqual([body.command, body.interval], ['set_interval', 30]);
  await waitForText(page, `${row(body.id)} [data-testid="cmd-state"]`, /^sent$/);
  await device.publishAsync(`commands/${DEVICE}/config/ack`, JSON.stringify({ id: body.id, status: 'executed' }), { qos: 1 });
  await waitForText(page, `${row(body.id)} [data-testid="cmd-state"]`, /^executed$/);

  // A command sent by another client through the API shows too, and expires when nobody confirms it.
  const lone = await api('POST', `/api/devices/${DEVICE}/commands`, { type: 'relay', firmware: 'zigbee2mqtt', params: { state: 'OFF' }, ttlSec: 1 });
  assert.equal(lone.status, 202);
  await waitForText(page, `${row(lone.json.id)} [data-testid="cmd-state"]`, /^expired$/);

  const audit = (await api('GET', '/api/audit?action=command')).json as Array<Record<string, string>>;
  const mine = audit.filter((e) => e.target === DEVICE && e.user === OPS.username && e.role === 'operator');
  assert.ok(
    mine.some((e) => /relay ON \(zigbee2mqtt\)/.test(e.detail)),
    JSON.stringify(audit),
  );
  assert.ok(
    mine.some((e) => e.detail === 'set_interval'),
    JSON.stringify(audit),
  );
  assert.deepEqual(errors, [], 'no browser errors');

  // The viewer sees the commands, with every button disabled; the API refuses its command.
  const viewer = await pageAs(VIEWER);
  await viewer.page.click(`tr[data-device="${DEVICE}"] [data-testid="registry-commands"]`);
  await waitForText(viewer.page, '[data-testid="cmd-readonly"]', /Read-only: wall is a viewer/);
  await viewer.page.waitForSelector(row(relayId));
  for (const b of ['cmd-relay-on', 'cmd-relay-off', 'cmd-interval-send'])
    assert.equal(await viewer.page.isDisabled(`[data-testid="${b}"]`), true, `${b} disabled for a viewer`);
  const refused = await api('POST', `/api/devices/${DEVICE}/commands`, { type: 'relay', firmware: 'zigbee2mqtt', params: { state: 'ON' } }, VIEWER);
  assert.equal(refused.status, 403);
  const before = got.length;
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(got.length, before, 'nothing published for the viewer');
  await device.endAsync();
});
