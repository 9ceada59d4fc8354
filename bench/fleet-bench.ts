/**
 * Fleet benchmark (issue 12): the app as `npm start` runs it
 * (dist/app/start.js, --max-old-space-size=512, every flow file and the
 * dashboard loaded) against a real Mosquitto, a real SMTP server and a real
 * webhook receiver, with a fleet of 10,000 devices:
 *
 *   steady   every device sends one reading every 10 s (1,000 msg/s)
 *   silent   all stop for longer than the staleness time: one device-silent
 *            alert each, grouped by the notifier
 *   back     all report again: every alert resolves
 *   settle   the fleet keeps reporting until the notifier's group interval
 *            has passed (every follow-up is in)
 *
 * then stops the app and starts it again with the same DATA_DIR while the
 * fleet is silent (the restored device list goes silent again, as in the
 * issue's second crash), then runs the same cycle. The staleness time is shortened to FLEET_AFTER_S (30 s) by
 * replacing the rules over MQTT `alerts/control/rules`, as an operator would;
 * the replaced rules are saved and survive the restart.
 *
 * Prints per run: peak RSS (the kernel's high-water mark, VmHWM), event-loop
 * lag p99 (worst of the app's own per-scrape p99s), notifications received by
 * the SMTP server and the webhook receiver, alerts held (peak and at the end),
 * and whether the app stayed up.
 *
 *   npm run bench:fleet
 *   FLEET_DEVICES=2000 FLEET_STEADY_S=20 npm run bench:fleet   (a quicker look)
 *
 * Other knobs: FLEET_AFTER_S, FLEET_SILENT_S, FLEET_BACK_S, FLEET_SETTLE_S,
 * FLEET_NODE_ARGS (extra node flags for the app, e.g. a CPU profile).
 */
import { ChildProcess, spawn } from 'child_process';
import fs from 'fs';
import path from 'path';
import mqtt from 'mqtt';
import { DEFAULT_RULES } from '../nodes/threshold-alert/rules';
import { HttpReceiver, SmtpReceiver } from '../test/alert-notifier/receivers';
import { REPO_ROOT } from '../test/support/red';
import { freePort, startMosquitto, tempDir, waitForHttp } from '../test/support/services';

const env = (name: string, dflt: number): number => Number(process.env[name] ?? dflt);
const DEVICES = env('FLEET_DEVICES', 10_000);
const PERIOD_S = 10;
const AFTER_S = env('FLEET_AFTER_S', 30);
const STEADY_S = env('FLEET_STEADY_S', 40);
const SILENT_S = env('FLEET_SILENT_S', AFTER_S + PERIOD_S + 20);
const BACK_S = env('FLEET_BACK_S', 30);
/** The notifier's group interval (60 s) plus delivery time: every follow-up is in. */
const SETTLE_S = env('FLEET_SETTLE_S', 70);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface App {
  proc: ChildProcess;
  url: string;
  log(): string;
  exited: boolean;
}

async function startApp(dataDir: string, mqttUrl: string, smtpPort: number, hookUrl: string): Promise<App> {
  const port = await freePort();
  // FLEET_NODE_ARGS: extra node flags for a diagnosis (e.g. --cpu-prof --cpu-prof-dir=/tmp/prof).
  const extra = (process.env.FLEET_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const proc = spawn(process.execPath, ['--max-old-space-size=512', ...extra, path.join(REPO_ROOT, 'dist', 'app', 'start.js')], {
    env: {
      ...process.env,
      PORT: String(port),
      DATA_DIR: dataDir,
      MQTT_URL: mqttUrl,
      LOG_LEVEL: 'warn',
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      ALERT_EMAIL_TO: 'ops@bench.local',
      WEBHOOK_URL: hookUrl,
      WEBHOOK_SECRET: 'bench-secret',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer): void => {
    out = (out + d).slice(-20_000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const app: App = { proc, url: `http://127.0.0.1:${port}`, log: () => out, exited: false };
  proc.once('exit', () => {
    app.exited = true;
  });
  await waitForHttp(`${app.url}/health/live`, 90_000);
  // Ready: flows started and the broker connected.
  for (let i = 0; i < 120; i++) {
    const r = await fetch(`${app.url}/health/ready`)
      .then((x) => x.json() as Promise<{ brokers?: Record<string, boolean> }>)
      .catch(() => undefined);
    if (r && r.brokers && Object.values(r.brokers).length && Object.values(r.brokers).every(Boolean)) break;
    await sleep(500);
  }
  return app;
}

async function stopApp(app: App): Promise<number | null> {
  if (app.exited) return app.proc.exitCode;
  return new Promise((resolve) => {
    const kill = setTimeout(() => app.proc.kill('SIGKILL'), 40_000);
    app.proc.once('exit', (code) => {
      clearTimeout(kill);
      resolve(code);
    });
    app.proc.kill('SIGTERM');
  });
}

/** Metric samples from /metrics, /health/ready and /proc. */
class Sampler {
  lagP99 = 0;
  rssSampled = 0;
  alertsPeak = 0;
  alertsNow = 0;
  slowestScrapeMs = 0;
  private timer?: NodeJS.Timeout;

  constructor(private readonly app: App) {}

  start(): void {
    const tick = async (): Promise<void> => {
      await this.sample().catch(() => undefined);
      if (this.timer) this.timer = setTimeout(tick, 1000);
    };
    this.timer = setTimeout(tick, 1000);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** VmHWM: the process's peak resident set, as the kernel counted it. */
  peakRss(): number {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${this.app.proc.pid}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : this.rssSampled;
    } catch {
      return this.rssSampled;
    }
  }

  async sample(): Promise<void> {
    const t0 = Date.now();
    const text = await (await fetch(`${this.app.url}/metrics`)).text();
    this.slowestScrapeMs = Math.max(this.slowestScrapeMs, Date.now() - t0);
    const value = (re: RegExp): number => Number(re.exec(text)?.[1] ?? NaN);
    const lag = value(/^iot_nodejs_eventloop_lag_p99_seconds (\S+)/m);
    if (Number.isFinite(lag)) this.lagP99 = Math.max(this.lagP99, lag);
    const rss = value(/^iot_process_resident_memory_bytes (\S+)/m);
    if (Number.isFinite(rss)) this.rssSampled = Math.max(this.rssSampled, rss);
    let held = 0;
    for (const m of text.matchAll(/^iot_alerts_active\{[^}]*\} (\S+)/gm)) held += Number(m[1]);
    this.alertsNow = held;
    this.alertsPeak = Math.max(this.alertsPeak, held);
  }
}

/** Publishes one reading per device every PERIOD_S, spread evenly, until stopped. */
function fleet(client: mqtt.MqttClient): { stop(): void; sent(): number } {
  const perTick = DEVICES / (PERIOD_S * 10);
  let next = 0;
  let sent = 0;
  let carry = 0;
  const timer = setInterval(() => {
    carry += perTick;
    for (; carry >= 1; carry--) {
      const d = next;
      next = (next + 1) % DEVICES;
      const payload = `{"temperature":${(20 + (d % 30) / 10).toFixed(1)},"humidity":${45 + (d % 10)}}`;
      client.publish(`sensors/fleet-${String(d).padStart(5, '0')}/ruuvi`, payload, { qos: 1 });
      sent++;
    }
  }, 100);
  return { stop: () => clearInterval(timer), sent: () => sent };
}

interface RunResult {
  label: string;
  up: boolean;
  peakRssMb: number;
  lagP99Ms: number;
  emails: number;
  webhooks: number;
  alertsPeak: number;
  alertsEnd: number;
  dropped: string;
  published: number;
  slowestScrapeMs: number;
}

async function health(app: App): Promise<Record<string, number>> {
  const r = await fetch(`${app.url}/health/ready`)
    .then((x) => x.json() as Promise<{ components?: Record<string, { kind: string; figures?: Record<string, number> }> }>)
    .catch(() => undefined);
  return Object.values(r?.components ?? {}).find((c) => c.kind === 'threshold-alert')?.figures ?? {};
}

async function cycle(label: string, app: App, client: mqtt.MqttClient, smtp: SmtpReceiver, web: HttpReceiver, silentFirst = false): Promise<RunResult> {
  smtp.mails.length = 0;
  web.requests.length = 0;
  const s = new Sampler(app);
  s.start();
  const phase = (name: string) =>
    console.log(
      `  ${label}: ${name} (${new Date().toISOString().slice(11, 19)}; ${s.alertsNow} alerts held, ${smtp.mails.length} emails, ${web.requests.length} webhooks)`,
    );
  if (silentFirst) {
    // The outage goes on across the restart: the restored device list makes every device silent again.
    phase(`still silent after the restart ${SILENT_S} s`);
    await sleep(SILENT_S * 1000);
  }
  phase(`steady ${STEADY_S} s`);
  const f = fleet(client);
  await sleep(STEADY_S * 1000);
  f.stop();
  phase(`silent ${SILENT_S} s`);
  await sleep(SILENT_S * 1000);
  phase(`back ${BACK_S} s`);
  const g = fleet(client);
  await sleep(BACK_S * 1000);
  // The fleet keeps reporting while the notifier's follow-ups go out.
  phase(`settle ${SETTLE_S} s`);
  await sleep(SETTLE_S * 1000);
  await s.sample().catch(() => undefined);
  const figures = await health(app);
  s.stop();
  g.stop();
  phase('done');
  return {
    label,
    up: !app.exited,
    peakRssMb: Math.round(s.peakRss() / 1048576),
    lagP99Ms: Math.round(s.lagP99 * 1000),
    emails: smtp.mails.length,
    webhooks: web.requests.length,
    alertsPeak: s.alertsPeak,
    alertsEnd: s.alertsNow,
    dropped: ['historyLimit', 'maxDevices', 'maxAlerts'].map((b) => `${b} ${figures[`dropped_${b}`] ?? '?'}`).join(', '),
    published: f.sent() + g.sent(),
    slowestScrapeMs: s.slowestScrapeMs,
  };
}

async function main(): Promise<void> {
  const mosquitto = await startMosquitto();
  const smtp = new SmtpReceiver();
  const web = new HttpReceiver('bench-secret');
  await smtp.start();
  await web.start();
  const dataDir = tempDir('fleet-bench');
  const client = await mqtt.connectAsync(mosquitto.url, { clientId: `fleet-bench-${process.pid}`, clean: true });
  console.log(`fleet bench: ${DEVICES} devices, 1 reading each every ${PERIOD_S} s; staleness ${AFTER_S} s; DATA_DIR ${dataDir}`);
  const results: RunResult[] = [];
  let app: App | undefined;
  try {
    app = await startApp(dataDir, mosquitto.url, smtp.port, `${web.url}/hook`);
    const rules = DEFAULT_RULES.map((r) => (r.id === 'device-silent' ? { ...r, after: AFTER_S } : r));
    await client.publishAsync('alerts/control/rules', JSON.stringify(rules), { qos: 1 });
    await sleep(2000);
    results.push(await cycle('first start', app, client, smtp, web));
    // Stopped while the fleet is silent, as after an outage.
    const code = await stopApp(app);
    console.log(`  app stopped (exit ${code}); restarting with the same DATA_DIR`);
    app = await startApp(dataDir, mosquitto.url, smtp.port, `${web.url}/hook`);
    results.push(await cycle('restart, same DATA_DIR', app, client, smtp, web, true));
  } finally {
    if (app && app.exited && app.proc.exitCode !== 0) console.log(`app log (tail):\n${app.log().slice(-3000)}`);
    if (app) await stopApp(app);
    await client.endAsync();
    await smtp.stop();
    await web.stop();
    await mosquitto.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(
    '\n| run | app up | peak RSS | event-loop lag p99 (worst) | emails | webhooks | alerts held (peak / end) | dropped by bounds | readings published |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(
      `| ${r.label} | ${r.up ? 'yes' : 'NO'} | ${r.peakRssMb} MB | ${r.lagP99Ms} ms | ${r.emails} | ${r.webhooks} | ${r.alertsPeak} / ${r.alertsEnd} | ${r.dropped} | ${r.published} |`,
    );
  }
  console.log(`\nslowest /metrics answer: ${results.map((r) => `${r.slowestScrapeMs} ms`).join(', ')}`);
  console.log('targets (issue 12): app stays up, RSS < 300 MB, not 10,000 notifications');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
