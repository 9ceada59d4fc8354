/**
 * The benchmark's `app` system: the app as a user runs it (`npm start`:
 * dist/app/start.js with the shipped Node flags, every flow file of flows/
 * and dashboards/ merged as the app merges them), plus one headless Chromium
 * on the dashboard's Overview page for as long as the runtime lives.
 *
 * The only change to the shipped flows is the QoS of the MQTT subscriptions
 * (the run's QoS); the simulator is off (SIMULATE_DEVICES=0).
 */
import { ChildProcess, fork } from 'child_process';
import fs from 'fs';
import path from 'path';
import type { Browser, Page } from 'playwright-core';
import { installFlows } from '../app/flows';
import { launchChromium } from '../test/dashboard/browser';
import { freePort, tempDir } from '../test/support/services';
import { endSession, SHIPPED_NODE_ARGS } from './influx-bench-lib';

export interface AppSystem {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

async function waitOk(url: string, what: string, timeoutMs: number, child: ChildProcess): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what}: the app exited with ${child.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.status === 200) return;
      last = `HTTP ${res.status} ${(await res.text()).slice(0, 300)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > end) throw new Error(`${what}: not ready in ${timeoutMs} ms (${last})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Installs the shipped flows into a fresh data folder, with the run's QoS on every MQTT subscription. */
function installShippedFlows(repoRoot: string, dataDir: string, qos: 0 | 1, ack: 'durable' | 'received'): void {
  // installFlows writes flows.json and its manifest; the app then keeps that file (same versions).
  const { flowFile } = installFlows(dataDir, [path.join(repoRoot, 'flows'), path.join(repoRoot, 'dashboards')]);
  const nodes = JSON.parse(fs.readFileSync(flowFile, 'utf8')) as Array<Record<string, unknown>>;
  const withQos = nodes.map((n) => {
    if (n.type === 'sensor-input' && n.mode === 'mqtt') return { ...n, qos: String(qos), ack };
    return n.type === 'mqtt in' ? { ...n, qos: String(qos) } : n;
  });
  fs.writeFileSync(flowFile, JSON.stringify(withQos));
}

export async function startApp(repoRoot: string, qos: 0 | 1, env: Record<string, string>, ack: 'durable' | 'received' = 'durable'): Promise<AppSystem> {
  const dataDir = path.join(tempDir('bench-app'), 'data');
  installShippedFlows(repoRoot, dataDir, qos, ack);
  const port = await freePort();
  const child = fork(path.join(repoRoot, 'dist', 'app', 'start.js'), [], {
    execArgv: `${SHIPPED_NODE_ARGS} ${process.env.BENCH_RUNTIME_ARGS || ''}`.split(' ').filter(Boolean),
    env: {
      ...process.env,
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      SIMULATE_DEVICES: '0',
      LOG_LEVEL: process.env.BENCH_LOG || 'error',
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = `http://127.0.0.1:${port}`;
  let browser: Browser | undefined;
  let page: Page | undefined;
  const stop = async (): Promise<void> => {
    // BENCH_SCREENSHOT=<dir>: what the Overview showed at the end of each runtime's life.
    if (page && process.env.BENCH_SCREENSHOT) {
      fs.mkdirSync(process.env.BENCH_SCREENSHOT, { recursive: true });
      await page.screenshot({ path: path.join(process.env.BENCH_SCREENSHOT, `overview-q${qos}-${Date.now()}.png`) }).catch(() => undefined);
    }
    await browser?.close().catch(() => undefined);
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
    if (env.MQTT_URL) await endSession(env.MQTT_URL, dataDir).catch(() => undefined);
  };
  try {
    // Ready: every broker connection up and the writer healthy; then the dashboard is served.
    await waitOk(`${url}/health/ready`, 'app /health/ready', 90_000, child);
    await waitOk(`${url}/dashboard/_setup`, 'dashboard', 30_000, child);
    if (process.env.BENCH_BROWSER !== '0') {
      browser = await launchChromium();
      page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(`${url}/dashboard/overview`, { waitUntil: 'domcontentloaded' });
      await page.waitForSelector('[data-testid="overview-summary"]', { timeout: 30_000 });
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { child, url, stop };
}
