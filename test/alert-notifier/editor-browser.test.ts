/**
 * The editor in a real Node-RED (this package as a nodesDir) and Debian's
 * headless Chromium: the shipped alerts flow loads with valid nodes, the
 * alert-notifier and iot-smtp-config dialogs open without script errors, toggle
 * their sections, and flag bad values.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, ChildProcess } from 'child_process';
import fs from 'fs';
import path from 'path';
import { chromium, Browser, Page } from 'playwright-core';
import { freePort, missing, tempDir, waitForHttp } from '../support/services';
import { REPO_ROOT } from '../support/red';

const skip = missing('chromium');
let proc: ChildProcess | undefined;
let browser: Browser | undefined;
let page: Page;
let log = '';
let editorUrl = '';
const errors: string[] = [];
const dir = tempDir('notifier-editor');

before(async () => {
  if (skip) return;
  const port = await freePort();
  const flows = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'flows', 'alerts.json'), 'utf8'));
  fs.writeFileSync(path.join(dir, 'flows.json'), JSON.stringify(flows));
  fs.writeFileSync(
    path.join(dir, 'settings.js'),
    `module.exports = ${JSON.stringify({
      uiPort: port,
      uiHost: '127.0.0.1',
      userDir: dir,
      flowFile: 'flows.json',
      nodesDir: [REPO_ROOT],
      credentialSecret: 'test-only',
      logging: { console: { level: 'warn' } },
      editorTheme: { tours: false },
      diagnostics: { enabled: false },
    })};`,
  );
  proc = spawn(process.execPath, [require.resolve('node-red/red.js'), '--settings', path.join(dir, 'settings.js'), '--userDir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DATA_DIR: dir },
  });
  proc.stdout?.on('data', (d) => (log += d));
  proc.stderr?.on('data', (d) => (log += d));
  await waitForHttp(`http://127.0.0.1:${port}/nodes`, 60_000);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage();
  // Node-RED's editor disposes Monaco models when a dialog closes quickly; that race is the editor's, not ours.
  page.on('pageerror', (e) => {
    if (!/Model is disposed/.test(e.message)) errors.push(`pageerror: ${e.message}`);
  });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  editorUrl = `http://127.0.0.1:${port}/`;
  await page.goto(editorUrl);
  await page.waitForFunction(
    () => {
      const RED = (window as unknown as { RED?: { nodes?: { node(id: string): unknown } } }).RED;
      return !!RED?.nodes?.node('alert-notifier');
    },
    undefined,
    { timeout: 60_000 },
  );
});

after(async () => {
  await browser?.close();
  if (proc && proc.exitCode === null) {
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => proc!.kill('SIGKILL'), 5000);
      proc!.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      proc!.kill('SIGTERM');
    });
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the shipped alerts flow shows valid notifier and SMTP nodes in the palette category', { skip, timeout: 120_000 }, async () => {
  const info = await page.evaluate(() => {
    const RED = (window as any).RED;
    const n = RED.nodes.node('alert-notifier');
    const s = RED.nodes.node('smtp-default');
    return { valid: n.valid, smtpValid: s.valid, category: RED.nodes.getType('alert-notifier').category, label: RED.utils.getNodeLabel(n) };
  });
  assert.deepEqual(info, { valid: true, smtpValid: true, category: 'IoT engine', label: 'Email + webhook' });
});

/** Sets a field through jQuery as the dialog's own code would see it (overlays cannot swallow it). */
async function setField(selector: string, value: string | boolean): Promise<void> {
  await page.evaluate(
    ([sel, v]) => {
      const $ = (window as any).$;
      if (typeof v === 'boolean') $(sel).prop('checked', v).trigger('change');
      else $(sel).val(v).trigger('change').trigger('keyup');
    },
    [selector, value] as [string, string | boolean],
  );
}
const hasError = (selector: string): Promise<boolean> => page.evaluate((sel) => !!document.querySelector(sel)?.classList.contains('input-error'), selector);
const visible = (selector: string): Promise<boolean> => page.evaluate((sel) => (window as any).$(sel).is(':visible'), selector);

test('the alert-notifier dialog opens, toggles its sections and flags bad values', { skip, timeout: 120_000 }, async () => {
  errors.length = 0;
  await page.evaluate(() => (window as any).RED.editor.edit((window as any).RED.nodes.node('alert-notifier')));
  await page.waitForSelector('#node-input-url', { state: 'visible', timeout: 20_000 });
  assert.equal(await page.inputValue('#node-input-url'), '${WEBHOOK_URL}');
  assert.equal(await visible('#node-input-toCritical'), true);
  await setField('#node-input-mode', 'event');
  assert.equal(await visible('#node-input-toCritical'), false, 'per-severity recipients hidden in event mode');
  await setField('#node-input-webhook', false);
  assert.equal(await visible('#node-input-url'), false, 'webhook section hidden when off');
  await setField('#node-input-webhook', true);
  assert.equal(await visible('#node-input-url'), true);
  assert.equal(await hasError('#node-input-headers'), false);
  await setField('#node-input-headers', '[1]');
  await page.waitForFunction(() => document.querySelector('#node-input-headers')!.classList.contains('input-error'), undefined, { timeout: 5000 });
  await setField('#node-input-timeoutS', '0');
  await page.waitForFunction(() => document.querySelector('#node-input-timeoutS')!.classList.contains('input-error'), undefined, { timeout: 5000 });
  await setField('#node-input-timeoutS', '5');
  await page.waitForFunction(() => !document.querySelector('#node-input-timeoutS')!.classList.contains('input-error'), undefined, { timeout: 5000 });
  await page.evaluate(() => (window as any).$('#node-dialog-cancel').trigger('click'));
  await page.waitForSelector('#node-input-url', { state: 'detached', timeout: 10_000 });
  assert.deepEqual(errors, []);
});

test('the iot-smtp-config dialog opens and refuses a password in the URL', { skip, timeout: 120_000 }, async () => {
  errors.length = 0;
  await page.evaluate(() => (window as any).RED.editor.editConfig('', 'iot-smtp-config', 'smtp-default'));
  await page.waitForSelector('#node-config-input-url', { state: 'visible', timeout: 20_000 });
  assert.equal(await page.inputValue('#node-config-input-url'), '${SMTP_URL}');
  assert.equal(await page.inputValue('#node-config-input-security'), 'starttls');
  assert.equal(await hasError('#node-config-input-url'), false);
  await setField('#node-config-input-url', 'smtp://u:secret@mail.example.com');
  await page.waitForFunction(() => document.querySelector('#node-config-input-url')!.classList.contains('input-error'), undefined, { timeout: 5000 });
  await page.evaluate(() => (window as any).$('#node-config-dialog-cancel').trigger('click'));
  await page.waitForSelector('#node-config-input-url', { state: 'detached', timeout: 10_000 });
  assert.deepEqual(errors, []);
});

/** The alert-notifier dialog's label, placeholder and option texts as the editor rendered them from the catalogs. */
async function dialogTexts(p: Page): Promise<{ to: string; mode: string; name: string; option: string }> {
  await p.evaluate(() => (window as any).RED.editor.edit((window as any).RED.nodes.node('alert-notifier')));
  await p.waitForSelector('#node-input-url', { state: 'visible', timeout: 20_000 });
  const texts = await p.evaluate(() => {
    const $ = (window as any).$;
    return {
      to: $('label[for="node-input-to"]').text().trim(),
      mode: $('label[for="node-input-mode"]').text().trim(),
      name: $('#node-input-name').attr('placeholder'),
      option: $('#node-input-mode option[value="event"]').text().trim(),
    };
  });
  await p.evaluate(() => (window as any).$('#node-dialog-cancel').trigger('click'));
  await p.waitForSelector('#node-input-url', { state: 'detached', timeout: 10_000 });
  return texts;
}

test("the dialog's labels come from the catalogs: English, and German in a browser set to German (locales/de)", { skip, timeout: 120_000 }, async () => {
  assert.deepEqual(await dialogTexts(page), { to: 'To', mode: 'Input', name: 'alert notifier', option: 'Any JSON event (sent as is)' });
  const context = await browser!.newContext({ locale: 'de-DE' });
  try {
    const de = await context.newPage();
    await de.goto(editorUrl);
    await de.waitForFunction(() => !!(window as any).RED?.nodes?.node('alert-notifier'), undefined, { timeout: 60_000 });
    assert.deepEqual(await dialogTexts(de), {
      to: 'An',
      mode: 'Eingabe',
      name: 'Alarm-Benachrichtigung',
      option: 'Beliebiges JSON-Ereignis (unverändert gesendet)',
    });
  } finally {
    await context.close();
  }
});
