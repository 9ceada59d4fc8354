/**
 * The operators' dashboard in a real headless Chromium against the running
 * app (embedded broker, simulated devices, InfluxDB 1.x): every page shows
 * what was published, acknowledge and servo buttons have their effect, and
 * screenshots go to test-results/screenshots/ (docs/screenshots/ with UPDATE_SCREENSHOTS=1,
 * which is how the README's pictures are refreshed).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import mqtt, { MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { startApp, RunningApp } from '../support/app';
import { REPO_ROOT } from '../support/red';
import { influxQuery, missing, Service, startInflux1 } from '../support/services';
import { launchChromium, textOf, waitForText, watchErrors } from './browser';

const skip = missing('chromium', 'influxd');
const SHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? path.join(REPO_ROOT, 'docs', 'screenshots') : path.join(REPO_ROOT, 'test-results', 'screenshots');
const DB = 'iot';
const RUUVI = { temperature: 21.7, humidity: 44.5, pressure: 1009.3, battery: 87 };

let influx: Service | undefined;
let app: RunningApp | undefined;
let client: MqttClient | undefined;
let browser: Browser | undefined;
let feeder: NodeJS.Timeout | undefined;
const published: Array<{ topic: string; payload: unknown }> = [];

async function poll<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n--- app log ---\n${app?.log().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

function publish(topic: string, payload: Record<string, unknown>): void {
  published.push({ topic, payload });
  client!.publish(topic, JSON.stringify(payload), { qos: 1 });
}

async function open(pagePath: string, width = 1280, height = 900): Promise<{ page: Page; errors: string[] }> {
  const page = await browser!.newPage({ viewport: { width, height } });
  const errors = watchErrors(page);
  await page.goto(`${app!.url}/dashboard/${pagePath}`, { waitUntil: 'domcontentloaded' });
  return { page, errors };
}

async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.waitForTimeout(600); // let charts finish their animation
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });
}

before(
  async () => {
    if (skip) return;
    influx = await startInflux1();
    const res = await fetch(`${influx.url}/query?q=${encodeURIComponent(`CREATE DATABASE ${DB}`)}`, { method: 'POST' });
    assert.equal(res.status, 200, 'InfluxDB database created');
    app = await startApp({
      SIMULATE_DEVICES: '2',
      INFLUX_URL: influx.url,
      INFLUX_VERSION: '1',
      INFLUX_DB: DB,
      OFFLINE_AFTER_S: '15',
      SERVO_DEVICES: 'e2e-cam',
      LOG_LEVEL: 'info',
    });
    // The dashboard's routes exist once the flows started (not while Node-RED waits for a missing node type).
    await poll(
      'the dashboard to be served (flows started)',
      async () => {
        const r = await fetch(`${app!.url}/dashboard/_setup`);
        return r.status === 200 ? true : undefined;
      },
      60_000,
    );
    client = await mqtt.connectAsync(app.mqttUrl, { reconnectPeriod: 0 });
    // A known device that keeps publishing the same values, and one that goes silent.
    const feed = (): void => publish('lifecompanion/sensors/e2e-ruuvi/environmental', { ...RUUVI });
    feed();
    feeder = setInterval(feed, 2000);
    publish('lifecompanion/sensors/e2e-gone/environmental', { temperature: 19.5, humidity: 50, pressure: 1000, battery: 60 });
    browser = await launchChromium();
  },
  { timeout: 120_000 },
);

after(async () => {
  if (feeder) clearInterval(feeder);
  await browser?.close().catch(() => undefined);
  await client?.endAsync().catch(() => undefined);
  if (app && app.proc.exitCode === null) await app.stop();
  await influx?.stop();
});

test('Overview: a tile per device with the published values, units, battery and an offline marker', { skip, timeout: 120_000 }, async () => {
  const { page, errors } = await open('overview');
  const tile = '[data-device="e2e-ruuvi"]';
  assert.equal(await waitForText(page, `${tile} [data-metric="temperature"] .iot-value`, /\S/), String(RUUVI.temperature));
  assert.equal(await textOf(page, `${tile} [data-metric="temperature"] .iot-unit`), '°C');
  assert.equal(await textOf(page, `${tile} [data-metric="humidity"] .iot-value`), String(RUUVI.humidity));
  assert.equal(await textOf(page, `${tile} [data-metric="pressure"] .iot-value`), String(RUUVI.pressure));
  assert.match(await textOf(page, `${tile} .iot-battery`), /battery 87 %/);
  assert.match(await textOf(page, `${tile} [data-testid="last-seen"]`), /^last seen \d+ s ago$/);
  assert.equal(await page.getAttribute(tile, 'data-online'), 'yes');
  // The simulator's devices have tiles too.
  await poll('simulated device tiles', async () => ((await page.$$('[data-device]')).length >= 4 ? true : undefined));
  // e2e-gone published once; after OFFLINE_AFTER_S (15 s) it is flagged, first in the list.
  await waitForText(page, '[data-device="e2e-gone"] .iot-badge', /^OFFLINE$/, 40_000);
  assert.equal(await page.getAttribute('.iot-tile >> nth=0', 'data-device'), 'e2e-gone', 'offline devices come first');
  assert.match(await textOf(page, '[data-testid="overview-summary"]'), /[1-9]\d* offline/);
  const tiles = (await page.$$('[data-device]')).length;
  assert.match(
    await textOf(page, '[data-testid="overview-summary"]'),
    new RegExp(`^${tiles} devices`),
    'every device has a tile (fewer than DASHBOARD_MAX_TILES)',
  );
  // A Zigbee2MQTT device that announces offline is OFFLINE at once, not after OFFLINE_AFTER_S; online again when it says so.
  publish('zigbee2mqtt/e2e-lamp', { state: 'ON', linkquality: 90 });
  await waitForText(page, '[data-device="e2e-lamp"] .iot-badge', /^online$/, 20_000);
  publish('zigbee2mqtt/e2e-lamp/availability', { state: 'offline' });
  await waitForText(page, '[data-device="e2e-lamp"] .iot-badge', /^OFFLINE$/, 5_000);
  assert.match(await textOf(page, '[data-device="e2e-lamp"] [data-testid="availability"]'), /^reported offline/);
  publish('zigbee2mqtt/e2e-lamp/availability', { state: 'online' });
  await waitForText(page, '[data-device="e2e-lamp"] .iot-badge', /^online$/, 5_000);
  await shot(page, 'overview');
  assert.deepEqual(errors, [], 'no browser errors');

  // Phone width: no sideways scrolling, tiles stacked.
  const phone = await open('overview', 390, 844);
  await waitForText(phone.page, `${tile} [data-metric="temperature"] .iot-value`, /21\.7/);
  const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `no horizontal overflow at 390 px (${overflow} px)`);
  await shot(phone.page, 'overview-phone', false);
  await phone.page.close();
  await page.close();
});

test('History: the InfluxDB series of a device and metric, aggregated, with the latest value', { skip, timeout: 120_000 }, async () => {
  await poll(
    'e2e-ruuvi points in InfluxDB',
    async () => {
      const rows = await influxQuery(influx!.url, DB, `SELECT temperature FROM environmental WHERE "deviceId" = 'e2e-ruuvi'`);
      return rows.length > 0 ? rows : undefined;
    },
    60_000,
  );
  // A metric on an Overview tile opens its history.
  const { page, errors } = await open('overview');
  await waitForText(page, '[data-device="e2e-ruuvi"] [data-metric="humidity"] .iot-value', /\S/);
  await page.click('[data-device="e2e-ruuvi"] [data-metric="humidity"]');
  await page.waitForURL(/\/dashboard\/history$/, { timeout: 10_000 });
  await waitForText(page, '[data-testid="history-status"]', /humidity|points|failed/, 20_000);
  assert.equal(await page.inputValue('[data-testid="history-device"]'), 'e2e-ruuvi');
  assert.equal(await page.inputValue('[data-testid="history-metric"]'), 'humidity');
  // The selectors: temperature over the last hour.
  await page.selectOption('[data-testid="history-metric"]', 'temperature');
  await page.selectOption('[data-testid="history-range"]', '1h');
  const status = await waitForText(page, '[data-testid="history-status"]', /points, .* over the last 1h|failed/, 30_000);
  const m = /^(\d+) points, mean per 10s over the last 1h · latest ([\d.]+) °C$/.exec(status);
  assert.ok(m, `status line: ${status}`);
  assert.ok(Number(m[1]) >= 1, 'at least one aggregated point');
  assert.equal(Number(m[2]), RUUVI.temperature, 'the mean of constant readings is the published value');
  assert.ok(await page.$('.nrdb-ui-chart canvas, .nrdb-ui-chart svg, canvas'), 'the chart is drawn');
  await shot(page, 'history');
  assert.deepEqual(errors, [], 'no browser errors');
  await page.close();
});

test('Alerts: a rule fires, acknowledge records who and why, a critical alert notifies', { skip, timeout: 150_000 }, async () => {
  const { page, errors } = await open('alerts');
  await page.waitForSelector('[data-testid="alert-by"]');
  // battery < 20 fires at once (default rule battery-low); heart rate outside [40, 140] for 10 s is critical.
  publish('lifecompanion/sensors/e2e-low/environmental', { temperature: 20, humidity: 50, pressure: 1000, battery: 12 });
  const row = '[data-rule="battery-low"][data-device="e2e-low"]';
  await waitForText(page, `${row} [data-testid="alert-state"]`, /^firing$/, 30_000);
  assert.match(await textOf(page, `${row} td[data-label="Value"]`), /^12\b/);
  assert.match(await textOf(page, `${row} .iot-sev`), /warning/i);

  await page.fill('[data-testid="alert-by"]', 'e2e-operator');
  await page.fill('[data-testid="alert-reason"]', 'battery swap booked');
  await page.click(`${row} [data-testid="alert-ack"]`);
  await waitForText(page, `${row} [data-testid="alert-state"]`, /^acknowledged$/, 20_000);
  assert.equal(await textOf(page, `${row} [data-testid="alert-acked-by"]`), 'by e2e-operator: battery swap booked');
  assert.equal(await page.isDisabled(`${row} [data-testid="alert-ack"]`), true, 'an acknowledged alert cannot be acknowledged again');
  const hist = '[data-testid="alerts-history"] tr[data-event="acknowledged"]';
  assert.match(await waitForText(page, hist, /e2e-operator/), /battery-low.*e2e-low.*e2e-operator.*battery swap booked/);

  // Filters: only critical -> the battery alert's lines disappear.
  await page.selectOption('[data-testid="filter-severity"]', 'critical');
  const warningRows = await page.$$eval('[data-testid="alerts-history"] tbody tr', (trs) => trs.filter((t) => /warning/i.test(t.textContent || '')).length);
  assert.equal(warningRows, 0, 'the severity filter hides warnings');
  await page.selectOption('[data-testid="filter-severity"]', '');

  const start = Date.now();
  const beat = setInterval(() => publish('lifecompanion/sensors/e2e-watch/health', { heart_rate: 180 }), 2000);
  try {
    publish('lifecompanion/sensors/e2e-watch/health', { heart_rate: 180 });
    const note = await waitForText(page, '.v-snackbar, .nrdb-ui-notification, [role="alert"]', /Critical: .*e2e-watch/, 60_000);
    assert.match(note, /Heart rate/i);
    assert.ok(Date.now() - start >= 9_000, 'the rule waits its 10 s pending time before firing');
  } finally {
    clearInterval(beat);
  }
  await waitForText(page, '[data-rule="heart-rate"][data-device="e2e-watch"] .iot-sev', /critical/i, 10_000);
  await shot(page, 'alerts');
  assert.deepEqual(errors, [], 'no browser errors');
  await page.close();

  const phone = await open('alerts', 390, 844);
  await waitForText(phone.page, `${row} [data-testid="alert-state"]`, /^acknowledged$/);
  const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `no horizontal overflow at 390 px (${overflow} px)`);
  await shot(phone.page, 'alerts-phone', false);
  await phone.page.close();
});

test('Cameras: record now, a recording plays in the page, a servo button sends a command whose status comes back', { skip, timeout: 240_000 }, async () => {
  const commands: Array<{ topic: string; body: Record<string, any> }> = [];
  // Reading commands needs a credential on the embedded broker: the app's own.
  const sub = await mqtt.connectAsync(app!.mqttUrl, { reconnectPeriod: 0, ...app!.mqttAppLogin() });
  sub.on('message', (topic, buf) => {
    try {
      commands.push({ topic, body: JSON.parse(buf.toString()) });
    } catch {
      /* not JSON */
    }
  });
  await sub.subscribeAsync('commands/+/servo');
  try {
    const { page, errors } = await open('cameras');
    await page.waitForSelector('[data-testid="servo-left"]');
    assert.equal(await page.inputValue('[data-testid="servo-device"]'), 'e2e-cam', 'SERVO_DEVICES offers e2e-cam');
    // The recordings route answers (an empty list on a machine without a camera).
    await poll('recordings list', async () => ((await page.$('[data-recording], [data-testid="recordings-none"]')) ? true : undefined));
    assert.doesNotMatch(await textOf(page, '[data-testid="camera-status"]'), /unavailable/);

    await page.click('[data-testid="servo-left"]');
    const status = await waitForText(
      page,
      '[data-testid="servo-commands"] tbody tr:first-child [data-testid="servo-status"]',
      /^(sent|acknowledged|executed|failed|expired)$/,
      20_000,
    );
    assert.match(await textOf(page, '[data-testid="servo-commands"] tbody tr:first-child'), /move left\s*e2e-cam/);
    const cmd = await poll('servo command on MQTT', async () => commands.find((c) => c.topic === 'commands/e2e-cam/servo'), 10_000);
    assert.equal(cmd.body.deviceId, 'e2e-cam');
    assert.equal(cmd.body.params.direction, 'left');
    assert.equal(
      await page.getAttribute('[data-testid="servo-commands"] tbody tr:first-child', 'data-command'),
      cmd.body.id,
      `the row shows command ${cmd.body.id} (${status})`,
    );

    await page.click('[data-testid="record-now"]');
    await waitForText(page, '[data-testid="camera-status"]', /Record request sent/, 10_000);
    // A finished recording (the one just requested, or one the simulated motion started) plays in the page.
    let refreshed = 0;
    await poll(
      'a finished recording in the list',
      async () => {
        if (await page.$('[data-playable="yes"]')) return true;
        if (Date.now() - refreshed > 3000) {
          refreshed = Date.now();
          await page.click('[data-testid="recordings-refresh"]');
        }
        return undefined;
      },
      120_000,
    );
    assert.ok(await page.$('[data-playable="yes"] img'), 'the recording has a thumbnail');
    await page.click('[data-playable="yes"] >> nth=0');
    const video = await poll(
      'video metadata',
      async () => {
        const v = await page.$eval('[data-testid="video-player"]', (el) => {
          const e = el as HTMLVideoElement;
          return { ready: e.readyState, width: e.videoWidth, duration: e.duration, error: e.error ? e.error.code : 0 };
        });
        if (v.error) throw new Error(`video error ${v.error}`);
        return v.ready >= 1 ? v : undefined;
      },
      20_000,
    );
    assert.ok(video.width > 0 && video.duration > 0, `the browser decodes the recording: ${JSON.stringify(video)}`);
    await shot(page, 'cameras');
    assert.deepEqual(errors, [], 'no browser errors');
    await page.close();
  } finally {
    await sub.endAsync();
  }
});

test('System: MQTT state, message rates and pipeline figures from /health/ready', { skip, timeout: 90_000 }, async () => {
  const { page, errors } = await open('system');
  await waitForText(page, '[data-testid="sys-mqtt"]', /connected/, 20_000);
  assert.doesNotMatch(await textOf(page, '[data-testid="sys-mqtt"]'), /disconnected/);
  // Rates need two polls.
  const rateText = await waitForText(page, '[data-testid="sys-rate-in"] .iot-big', /^[\d.]+\/s$/, 20_000);
  const totalText = await textOf(page, '[data-testid="sys-rate-in"] .iot-muted');
  const shownTotal = Number(/^(\d+) total/.exec(totalText)?.[1]);
  const health = (await (await fetch(`${app!.url}/health/ready`)).json()) as { counters: Record<string, number> };
  const actual = health.counters.iot_messages_received_total;
  assert.ok(shownTotal > 0, `messages received shown: ${totalText}`);
  assert.ok(shownTotal <= actual && shownTotal >= actual - 200, `shown total ${shownTotal} is recent (now ${actual})`);
  assert.ok(Number.parseFloat(rateText) > 0, `a rate in: ${rateText}`);
  assert.match(await textOf(page, '[data-testid="sys-queue"]'), /points in memory \/ on disk/);
  assert.match(await textOf(page, '[data-testid="sys-outbox"] .iot-big'), /^\d+$/);
  assert.ok((await page.$$('[data-testid="sys-components"] [data-component]')).length >= 1, 'components are listed');
  // What bounds dropped: at least the dashboard's own device limit, with a count.
  assert.match(await textOf(page, '[data-testid="sys-bounds"] [data-bound="DASHBOARD_MAX_DEVICES"]'), /dashboard.*DASHBOARD_MAX_DEVICES\s*\d+$/);
  await shot(page, 'system');
  assert.deepEqual(errors, [], 'no browser errors');
  await page.close();
});
