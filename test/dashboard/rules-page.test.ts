/**
 * The dashboard's Rules page in headless Chromium against the app as shipped
 * (issue 18), behind the login: the default rules are shown, a bad field is
 * marked next to it and nothing is saved, an edited battery threshold is saved
 * through the HTTP API and the next reading that crosses it (and did not cross
 * the old one) fires the alert, and the saved rules survive a restart.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import bcrypt from 'bcryptjs';
import mqtt, { MqttClient } from 'mqtt';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startApp, RunningApp } from '../support/app';
import { REPO_ROOT } from '../support/red';
import { missing, tempDir } from '../support/services';
import { DEFAULT_RULES } from '../../nodes/threshold-alert/rules';
import { launchChromium, textOf, waitForText, watchErrors } from './browser';

const skip = missing('chromium');
const SHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? path.join(REPO_ROOT, 'docs', 'screenshots') : path.join(REPO_ROOT, 'test-results', 'screenshots');
const USER = 'admin';
const PASSWORD = 'rules-page-secret';
const dataDir = tempDir('rules-page');
const ENV = { SIMULATE_DEVICES: '0', ADMIN_USER: USER, ADMIN_PASSWORD_HASH: bcrypt.hashSync(PASSWORD, 4), DATA_DIR: dataDir, LOG_LEVEL: 'info' };
const AUTH = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
const BATTERY = '[data-rule="battery-low"]';

type Rule = Record<string, unknown>; // as the API answers
let app: RunningApp | undefined;
let client: MqttClient | undefined;
let browser: Browser | undefined;
let context: BrowserContext | undefined;

async function poll<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n--- app log ---\n${app?.log().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function api<T>(p: string): Promise<T> {
  const res = await fetch(`${app!.url}/api${p}`, { headers: { authorization: AUTH } });
  assert.equal(res.status, 200, `GET /api${p}: ${res.status}`);
  return (await res.json()) as T;
}

const alertRules = async (): Promise<Rule[]> => Object.values(await api<Record<string, Rule[]>>('/rules'))[0];
const activeAlert = async (ruleId: string, deviceId: string): Promise<Rule | undefined> =>
  (await api<{ active: Rule[] }>('/alerts')).active.find((a) => a.ruleId === ruleId && a.deviceId === deviceId);

async function boot(): Promise<void> {
  app = await startApp(ENV);
  await poll(
    'the dashboard and the rules to be served (flows started)',
    async () => {
      const r = await fetch(`${app!.url}/api/rules`, { headers: { authorization: AUTH } });
      return r.status === 200 ? true : undefined;
    },
    60_000,
  );
}

async function open(pagePath: string): Promise<{ page: Page; errors: string[] }> {
  const page = await context!.newPage();
  const errors = watchErrors(page);
  await page.goto(`${app!.url}/dashboard/${pagePath}`, { waitUntil: 'domcontentloaded' });
  return { page, errors };
}

async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

const field = (row: string, name: string): string => `${row} [data-field="${name}"]`;

before(
  async () => {
    if (skip) return;
    await boot();
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1400, height: 900 }, httpCredentials: { username: USER, password: PASSWORD } });
  },
  { timeout: 120_000 },
);

after(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await client?.endAsync().catch(() => undefined);
  if (app && app.proc.exitCode === null) await app.stop();
});

test(
  'Rules page: defaults shown, bad fields marked and not saved, an edit saved takes effect on the next reading and survives a restart',
  { skip, timeout: 240_000 },
  async () => {
    const { page, errors } = await open('rules');
    await waitForText(page, '[data-testid="rules-status"]', /rules in force/);
    // The default rules of the node's dialog, as the runtime runs them.
    const ids = await page.$$eval('tbody tr[data-rule]', (trs) => trs.map((t) => t.getAttribute('data-rule')));
    assert.deepEqual(
      ids,
      DEFAULT_RULES.map((r) => r.id),
    );
    assert.equal(await page.inputValue(field(BATTERY, 'threshold')), '20');
    assert.equal(await page.inputValue(field(BATTERY, 'operator')), '<');
    assert.equal(await page.inputValue(field(BATTERY, 'clear')), '25');
    assert.equal(await page.inputValue(field(BATTERY, 'repeat')), '86400');
    assert.equal(await page.inputValue(field('[data-rule="humidity-range"]', 'threshold')), '30, 70');
    assert.match(await textOf(page, '[data-rule="motion-armed"] td[data-label="fires on"]'), /event motion_detected while armed/);

    // A reading of 25 % does not cross the default threshold (battery < 20).
    client = await mqtt.connectAsync(app!.mqttUrl, { reconnectPeriod: 0 });
    const battery = (v: number): void => {
      client!.publish('lifecompanion/sensors/e2e-batt/environmental', JSON.stringify({ temperature: 21, humidity: 50, pressure: 1000, battery: v }), {
        qos: 1,
      });
    };
    battery(25);
    // Readings reach the dashboard and the alert node in the same batch: once the device is listed, the rule has seen it.
    await poll('e2e-batt on the dashboard', () => api<Rule>('/devices/e2e-batt'));
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await activeAlert('battery-low', 'e2e-batt'), undefined, '25 % does not fire under the default rule');

    // Invalid: a threshold of 30 with the default clear of 25 (the alert could never end), and a word for seconds.
    await page.fill(field(BATTERY, 'threshold'), '30');
    await page.fill(field(BATTERY, 'for'), 'soon');
    await page.click('[data-testid="rules-save"]');
    await waitForText(page, '[data-testid="rules-status"]', /^Not saved: 2 fields to fix/);
    assert.match(await textOf(page, `${BATTERY} [data-error="clear"]`), /must be on the normal side of threshold 30/);
    assert.match(await textOf(page, `${BATTERY} [data-error="for"]`), /must be a number of seconds/);
    assert.equal(await page.$(`${BATTERY} [data-error="threshold"]`), null, 'the valid field is not marked');
    await shot(page, 'rules-invalid');
    assert.deepEqual(await alertRules(), DEFAULT_RULES, 'nothing saved');

    // Fixed, plus a rule removed and one added.
    await page.fill(field(BATTERY, 'clear'), '35');
    assert.equal(await page.$(`${BATTERY} [data-error="clear"]`), null, 'editing a field clears its error');
    await page.fill(field(BATTERY, 'for'), '');
    await page.click('[data-rule="device-silent"] [data-testid="rule-remove"]');
    await page.click('[data-testid="rules-add"]');
    // One removed and one added: the new row comes last (rows count from 0).
    const added = `tbody tr[data-row="${DEFAULT_RULES.length - 1}"]`;
    await page.fill(field(added, 'id'), 'pressure-low');
    await page.fill(field(added, 'metric'), 'pressure');
    await page.selectOption(field(added, 'operator'), '<');
    await page.fill(field(added, 'threshold'), '950');
    await page.selectOption(field(added, 'severity'), 'info');
    await page.click('[data-testid="rules-save"]');
    await waitForText(page, '[data-testid="rules-status"]', new RegExp(`^Saved ${DEFAULT_RULES.length} rules`));
    const expected = DEFAULT_RULES.filter((r) => r.id !== 'device-silent').map((r) =>
      r.id === 'battery-low' ? { ...r, threshold: 30, clear: 35, for: 0 } : { ...r },
    ) as unknown as Rule[];
    expected.push({
      id: 'pressure-low',
      kind: 'threshold',
      metric: 'pressure',
      operator: '<',
      threshold: 950,
      for: 0,
      keepFiring: 0,
      repeat: 0,
      severity: 'info',
      enabled: true,
    });
    assert.deepEqual(await alertRules(), expected, 'the API serves the saved rules');
    assert.equal(await page.inputValue(field(BATTERY, 'threshold')), '30');
    await shot(page, 'rules');

    // The same 25 % now crosses battery < 30: the alert fires, on the API and on the Alerts page.
    battery(25);
    const alert = await poll('battery-low to fire for e2e-batt', () => activeAlert('battery-low', 'e2e-batt'));
    assert.equal(alert.value, 25);
    assert.equal(alert.threshold, 30);
    const alerts = await open('alerts');
    await waitForText(alerts.page, '[data-rule="battery-low"][data-device="e2e-batt"] [data-testid="alert-state"]', /^firing$/);
    await alerts.page.close();
    // The refused save is a 400 the browser logs; nothing else may fail.
    assert.deepEqual(
      [...errors, ...alerts.errors].filter((e) => !/status of 400/.test(e)),
      [],
      'no browser errors',
    );
    await page.close();

    // Kept across a restart: the node's state file holds the saved rules.
    await client.endAsync();
    client = undefined;
    assert.equal(await app!.stop(), 0);
    await boot();
    assert.deepEqual(await alertRules(), expected, 'the saved rules after a restart');
    const again = await open('rules');
    await waitForText(again.page, '[data-testid="rules-status"]', new RegExp(`^${DEFAULT_RULES.length} rules in force`));
    assert.equal(await again.page.inputValue(field(BATTERY, 'threshold')), '30');
    assert.equal(await again.page.inputValue(field('tbody tr[data-rule="pressure-low"]', 'threshold')), '950');
    assert.deepEqual(again.errors, [], 'no browser errors');
    // A phone: rules as cards, no sideways scrolling.
    await again.page.setViewportSize({ width: 390, height: 844 });
    await again.page.waitForTimeout(300);
    const overflow = await again.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `no horizontal overflow at 390 px (${overflow} px)`);
    await shot(again.page, 'rules-phone');
    await again.page.close();
  },
);
