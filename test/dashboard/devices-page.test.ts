/**
 * The dashboard's Devices page in headless Chromium against the app as
 * shipped, with an operator login: a CSV file imported through the page (one
 * bad row listed, the others in), the Overview tile of a registered device
 * titled with its name and location, a name edited and saved on the page and
 * shown by the tile without a new reading, and a field too long refused next
 * to the field.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import bcrypt from 'bcryptjs';
import mqtt from 'mqtt';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startApp, RunningApp } from '../support/app';
import { REPO_ROOT } from '../support/red';
import { missing, tempDir } from '../support/services';
import { launchChromium, textOf, waitForText, watchErrors } from './browser';

const skip = missing('chromium');
const SHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? path.join(REPO_ROOT, 'docs', 'screenshots') : path.join(REPO_ROOT, 'test-results', 'screenshots');
const USER = 'ops';
const PASSWORD = 'devices-page-secret';
const ENV = {
  SIMULATE_DEVICES: '0',
  SYSTEM_HEALTH_INTERVAL_S: '0',
  OPERATOR_USER: USER,
  OPERATOR_PASSWORD_HASH: bcrypt.hashSync(PASSWORD, 4),
  DATA_DIR: tempDir('devices-page'),
};
const AUTH = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
let app: RunningApp | undefined;
let browser: Browser | undefined;
let context: BrowserContext | undefined;

async function open(pagePath: string): Promise<{ page: Page; errors: string[] }> {
  const page = await context!.newPage();
  const errors = watchErrors(page);
  await page.goto(`${app!.url}/dashboard/${pagePath}`, { waitUntil: 'domcontentloaded' });
  return { page, errors };
}

before(
  async () => {
    if (skip) return;
    app = await startApp(ENV);
    const end = Date.now() + 60_000;
    while (
      (await fetch(`${app.url}/api/devices`, { headers: { authorization: AUTH } }).then(
        (r) => r.status,
        () => 0,
      )) !== 200
    ) {
      if (Date.now() > end) throw new Error(`the dashboard flow did not start\n${app.log().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 300));
    }
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1400, height: 900 }, httpCredentials: { username: USER, password: PASSWORD } });
  },
  { timeout: 120_000 },
);

after(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  if (app && app.proc.exitCode === null) await app.stop();
});

test('Devices page: a CSV import with a bad row, the tile shows the name, an edit is saved and shown', { skip, timeout: 180_000 }, async () => {
  const client = await mqtt.connectAsync(app!.mqttUrl, { reconnectPeriod: 0 });
  await client.publishAsync('lifecompanion/sensors/e2e-cam-1/environmental', JSON.stringify({ temperature: 21, humidity: 50, battery: 80 }), { qos: 1 });
  await client.endAsync();

  const { page, errors } = await open('devices');
  await waitForText(page, '[data-testid="registry-status"]', /0 devices registered, 1 seen/);
  const csv = 'id,name,location,type,owner\ne2e-cam-1,Front door camera,Entrance,camera,security\n,No id,Nowhere,,\ne2e-cam-2,"Garden, east",Garden,camera,\n';
  await page.setInputFiles('[data-testid="registry-import"]', { name: 'devices.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await waitForText(page, '[data-testid="registry-status"]', /^Imported devices\.csv: 2 added, 0 updated, 0 unchanged, 1 problems/);
  assert.match(await textOf(page, '[data-testid="registry-problems"]'), /row 2 \(line 3\): id is required/);
  await page.waitForSelector('tr[data-device="e2e-cam-2"]');
  assert.equal(await page.inputValue('tr[data-device="e2e-cam-2"] [data-field="name"]'), 'Garden, east');
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, 'devices.png'), fullPage: true });

  const overview = (await open('overview')).page;
  const tile = '.iot-tile[data-device="e2e-cam-1"]';
  await waitForText(overview, `${tile} [data-testid="tile-name"]`, /^Front door camera$/);
  assert.equal(await textOf(overview, `${tile} [data-testid="tile-where"]`), 'Entrance · e2e-cam-1');

  // An edit on the Devices page: the tile follows on the next tick, with no new reading.
  await page.fill('tr[data-device="e2e-cam-1"] [data-field="name"]', 'Porch camera');
  await page.click('tr[data-device="e2e-cam-1"] [data-testid="registry-save"]');
  await waitForText(page, '[data-testid="registry-status"]', /^Saved e2e-cam-1/);
  await waitForText(overview, `${tile} [data-testid="tile-name"]`, /^Porch camera$/);

  // A location too long is refused by the API and marked next to its field; nothing changes.
  await page.fill('tr[data-device="e2e-cam-1"] [data-field="location"]', 'x'.repeat(201));
  await page.click('tr[data-device="e2e-cam-1"] [data-testid="registry-save"]');
  await waitForText(page, '[data-testid="registry-status"]', /^Not saved: location/);
  assert.match(await textOf(page, 'tr[data-device="e2e-cam-1"] [data-error="location"]'), /location/);
  const entry = await fetch(`${app!.url}/api/devices/e2e-cam-1/registry`, { headers: { authorization: AUTH } }).then((r) => r.json());
  assert.deepEqual([entry.name, entry.location], ['Porch camera', 'Entrance']);
  assert.deepEqual(
    errors.filter((e) => !/Failed to load resource.*400/.test(e)),
    [],
    'no browser errors',
  );
});
