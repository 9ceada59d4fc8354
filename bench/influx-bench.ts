/**
 * End-to-end benchmark: real Mosquitto + real InfluxDB 1.x + the app as
 * shipped (every flow file and the dashboard, one headless browser on the
 * Overview page) and, beside it, a Node-RED runtime with the telemetry and
 * storage flows only, against the stock-node baseline and a plain mqtt.js
 * ceiling, at QoS 0 and QoS 1.
 *
 *   npm run bench:influx            (= npm run build && node dist/bench/influx-bench.js)
 *   BENCH_DEVICES=1000 BENCH_TRIAL_S=5 BENCH_DRAIN_S=5 node dist/bench/influx-bench.js
 *   BENCH_ONLY=ours BENCH_QOS=1 BENCH_START=45000 BENCH_BISECT=0 BENCH_RUNTIME_ARGS=--cpu-prof ...
 *
 * Systems (BENCH_ONLY, default app,app-received,ours,baseline,ceiling): `app`,
 * the app as `npm start` runs it (influx-bench-app.ts); `app-received`, the
 * same with the MQTT input acknowledging on receipt instead of once durable
 * (QoS 1 only: the price of the durable acknowledgement); `ours`, the telemetry + storage
 * flows with the same Node flags (SHIPPED_NODE_ARGS, a bounded heap);
 * `ours-plain`, those under plain `node`; the stock-node baseline; and the
 * plain mqtt.js ceiling.
 *
 * For each system the target rate climbs (x1.5) until a trial loses data,
 * then BENCH_BISECT (default 3) halvings narrow the gap to the last pass (to an eighth: about 6 % of the rate):
 * a trial publishes rate x BENCH_TRIAL_S readings and passes when InfluxDB
 * holds every one of them within BENCH_DRAIN_S after the last publish and
 * the p99 publish->write latency stayed under BENCH_MAX_P99_MS (no backlog).
 * A failed trial is repeated once before it counts.
 * "Sustained" is the highest passing rate actually achieved by the publisher.
 */
import { ChildProcess, fork } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { influxQuery, Service, startInflux1, startMosquitto, tempDir } from '../test/support/services';
import { startApp } from './influx-bench-app';
import { baselineFlows, endSession, LatencyProxy, projectFlows, SHIPPED_NODE_ARGS } from './influx-bench-lib';
import type { PublishJob } from './influx-bench-publisher';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const DEVICES = Number(process.env.BENCH_DEVICES || 1000);
const TRIAL_S = Number(process.env.BENCH_TRIAL_S || 5);
/** A trial whose p99 publish->write latency exceeds this was falling behind, even if it caught up later. */
const MAX_P99_MS = Number(process.env.BENCH_MAX_P99_MS || 2500);
const DRAIN_S = Number(process.env.BENCH_DRAIN_S || 3);
const CLIENTS = Number(process.env.BENCH_PUB_CLIENTS || 4);
const MAX_TRIALS = Number(process.env.BENCH_MAX_TRIALS || 6);
/** Highest rate tried: above it the publisher, not the system under test, is measured. */
const MAX_RATE = Number(process.env.BENCH_MAX_RATE || 80_000);
const BISECT = Number(process.env.BENCH_BISECT ?? 3);

/**
 * Mosquitto's defaults (max_queued_messages 1000, max_inflight_messages 20)
 * drop QoS 0 and queue-limit QoS 1 messages in bursts; unlimited here.
 */
const MOSQUITTO_CONF = `listener {{port}} 127.0.0.1
allow_anonymous true
persistence false
max_queued_messages 0
max_queued_bytes 0
max_inflight_messages 0
set_tcp_nodelay true
`;

type Kind = 'app' | 'app-received' | 'ours' | 'ours-plain' | 'baseline' | 'ceiling';
interface Trial {
  measurement: string;
  target: number;
  achieved: number;
  published: number;
  stored: number;
  pass: boolean;
  p50?: number;
  p99?: number;
  rssMB: number;
  cpuUsPerMsg?: number;
}
interface Result {
  kind: Kind;
  qos: 0 | 1;
  best?: Trial;
  trials: Trial[];
  peakRssMB: number;
}

const START_RATE: Record<Kind, number> = { app: 10000, 'app-received': 10000, ours: 20000, 'ours-plain': 20000, baseline: 3000, ceiling: 20000 };
let trialNo = 0;
let loadAtStart = '';

function waitMessage<T>(child: ChildProcess, pred: (m: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no answer in ${timeoutMs} ms`)), timeoutMs);
    const onMsg = (m: unknown): void => {
      if (!pred(m as T)) return;
      clearTimeout(timer);
      child.off('message', onMsg);
      resolve(m as T);
    };
    child.on('message', onMsg);
    child.once('exit', (code) => reject(new Error(`${what}: child exited with ${code}`)));
  });
}

function rssMB(pid: number | undefined, field = 'VmRSS'): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : NaN;
  } catch {
    return NaN;
  }
}

async function count(influx: Service, measurement: string): Promise<number> {
  try {
    const rows = await influxQuery(influx.url, 'bench', `SELECT count("temperature") FROM "${measurement}"`);
    return rows.length ? Number(rows[0].count) : 0;
  } catch {
    return 0;
  }
}

interface System {
  child: ChildProcess;
  stop(): Promise<void>;
}

async function startSystem(kind: Kind, qos: 0 | 1, mqttUrl: string, proxy: LatencyProxy): Promise<System> {
  const proxyUrl = `http://127.0.0.1:${proxy.port}`;
  if (kind === 'app' || kind === 'app-received') {
    // app-received: the same app with its MQTT input acknowledging on receipt, to price the durable acknowledgement.
    return startApp(
      REPO_ROOT,
      qos,
      { MQTT_URL: mqttUrl, INFLUX_URL: proxyUrl, INFLUX_VERSION: '1', INFLUX_DB: 'bench' },
      kind === 'app' ? 'durable' : 'received',
    );
  }
  if (kind === 'ceiling') {
    const child = fork(path.join(__dirname, 'influx-bench-ceiling.js'), [], {
      env: { ...process.env, BENCH_MQTT: mqttUrl, BENCH_QOS: String(qos), BENCH_WRITE: `${proxyUrl}/write?db=bench&precision=ms` },
    });
    await waitMessage<{ ready?: boolean }>(child, (m) => !!m.ready, 20_000, 'ceiling subscriber');
    return { child, stop: () => stopChild(child) };
  }
  const dir = tempDir(`bench-${kind}`);
  const ours = kind === 'ours' || kind === 'ours-plain';
  const flows = ours ? projectFlows(REPO_ROOT, qos, process.env.BENCH_STRIP_DEBUG === '1') : baselineFlows(mqttUrl, proxy.port, qos);
  const flowsFile = path.join(dir, 'source-flows.json');
  fs.writeFileSync(flowsFile, JSON.stringify(flows));
  const child = fork(path.join(__dirname, 'influx-bench-runtime.js'), [], {
    execArgv: `${kind === 'ours' ? SHIPPED_NODE_ARGS : ''} ${process.env.BENCH_RUNTIME_ARGS || ''}`.split(' ').filter(Boolean),
    env: {
      ...process.env,
      BENCH_USERDIR: path.join(dir, 'user'),
      BENCH_FLOWS: flowsFile,
      DATA_DIR: path.join(dir, 'user'),
      MQTT_BROKER_URL: mqttUrl,
      SIMULATE_DEVICES: '0',
      INFLUX_URL: proxyUrl,
      INFLUX_VERSION: '1',
      INFLUX_DB: 'bench',
    },
  });
  await waitMessage<object>(child, (m) => 'ready' in m, 60_000, `${kind} runtime`);
  return { child, stop: () => stopChild(child).then(() => (ours ? endSession(mqttUrl, path.join(dir, 'user')) : undefined)) };
}

async function publish(job: PublishJob): Promise<{ published: number; elapsedMs: number }> {
  const pub = fork(path.join(__dirname, 'influx-bench-publisher.js'));
  try {
    pub.send(job);
    const r = await waitMessage<{ ok: boolean; published: number; elapsedMs: number; error?: string }>(
      pub,
      () => true,
      (job.seconds * 3 + 30) * 1000,
      'publisher',
    );
    if (!r.ok) throw new Error(`publisher: ${r.error}`);
    return r;
  } finally {
    pub.kill();
  }
}

async function trial(
  kind: Kind,
  qos: 0 | 1,
  rate: number,
  mqttUrl: string,
  influx: Service,
  proxy: LatencyProxy,
  pid: number | undefined,
  devices = DEVICES,
  seconds = TRIAL_S,
): Promise<Trial> {
  const measurement = `b${++trialNo}_${kind}_q${qos}`;
  let peak = rssMB(pid);
  const cpuBefore = cpuMs(pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssMB(pid))), 100);
  let published: number, elapsedMs: number, stored: number;
  try {
    try {
      ({ published, elapsedMs } = await publish({ url: mqttUrl, devices, rate, seconds, qos, measurement, clients: CLIENTS }));
    } catch (err) {
      // A publisher that cannot keep its connections up at this rate ends the climb, not the run.
      process.stderr.write(`  publisher failed at ${rate}/s: ${(err as Error).message}\n`);
      return { measurement, target: rate, achieved: 0, published: Math.round(rate * seconds), stored: 0, pass: false, rssMB: peak };
    }
    const end = Date.now() + DRAIN_S * 1000;
    stored = await count(influx, measurement);
    while (stored < published && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 250));
      stored = await count(influx, measurement);
    }
  } finally {
    clearInterval(sampler);
  }
  const achieved = Math.round(published / (elapsedMs / 1000));
  const cpuUsPerMsg = Math.round((((cpuMs(pid) - cpuBefore) * 1000) / published) * 10) / 10;
  const p99 = proxy.percentile(measurement, 99);
  return {
    measurement,
    target: rate,
    achieved,
    published,
    stored,
    pass: stored === published && (p99 ?? Infinity) <= MAX_P99_MS,
    p50: proxy.percentile(measurement, 50),
    p99,
    rssMB: peak,
    cpuUsPerMsg,
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  child.send({ stop: true });
  await Promise.race([new Promise((r) => child.once('exit', r)), new Promise((r) => setTimeout(r, 5000))]);
  child.kill('SIGKILL');
}

async function runSystem(kind: Kind, qos: 0 | 1, mqttUrl: string, influx: Service, proxy: LatencyProxy): Promise<Result> {
  const result: Result = { kind, qos, trials: [], peakRssMB: 0 };
  let system: System | undefined;
  /** A fresh runtime, warmed up (subscription active), so no trial inherits another's backlog or heap. */
  const fresh = async (): Promise<void> => {
    if (system) {
      result.peakRssMB = Math.max(result.peakRssMB, rssMB(system.child.pid, 'VmHWM'));
      await system.stop();
    }
    system = await startSystem(kind, qos, mqttUrl, proxy);
    const warm = await trial(kind, qos, 200, mqttUrl, influx, proxy, system.child.pid, Math.min(DEVICES, 100), 1);
    if (!warm.pass) await new Promise((r) => setTimeout(r, 3000));
  };
  const attempt = async (rate: number): Promise<Trial> => {
    const t = await trial(kind, qos, rate, mqttUrl, influx, proxy, system?.child.pid);
    result.trials.push(t);
    process.stderr.write(
      `  ${kind} qos${qos} target ${rate}/s: achieved ${t.achieved}/s, stored ${t.stored}/${t.published} ${t.pass ? 'ok' : 'LOSS/BEHIND'} p50 ${t.p50 ?? '-'} ms p99 ${t.p99 ?? '-'} ms, RSS ${t.rssMB} MB, CPU ${t.cpuUsPerMsg} µs/msg\n`,
    );
    if (t.pass && (!result.best || t.achieved > result.best.achieved)) result.best = t;
    // After a failure, start over with a fresh runtime (a backlog and a grown heap would spill into the next trial).
    if (!t.pass) await fresh();
    return t;
  };
  try {
    await fresh();
    // Climb x1.5 until a trial fails, then halve the gap between the last pass and the failure BISECT times.
    let rate = Number(process.env.BENCH_START) || START_RATE[kind];
    // Other processes on the machine cause one-off stalls: a narrow failure (all stored, p99 up to
    // twice the limit) counts only when a repeat fails too.
    const settle = async (r: number): Promise<Trial> => {
      const t = await attempt(r);
      return !t.pass && t.stored === t.published && (t.p99 ?? Infinity) <= 2 * MAX_P99_MS ? attempt(r) : t;
    };
    for (let i = 0; i < MAX_TRIALS; i++) {
      const t = await settle(rate);
      if (!t.pass) {
        let [low, high] = [result.best?.target ?? rate / 2, rate];
        for (let b = 0; b < BISECT; b++) {
          const mid = Math.round((low + high) / 2);
          if ((await settle(mid)).pass) low = mid;
          else high = mid;
        }
        break;
      }
      if (t.achieved < rate * 0.9 || rate >= MAX_RATE) break; // the publisher itself is the limit
      rate = Math.min(MAX_RATE, Math.round(rate * 1.5));
    }
  } finally {
    if (system) {
      result.peakRssMB = Math.max(result.peakRssMB, rssMB(system.child.pid, 'VmHWM'));
      await system.stop();
    }
  }
  return result;
}

/** CPU time (user + system) a process has used, in ms; NaN when it is gone. */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = fs
      .readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /, '')
      .split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

const fmt = (n: number | undefined): string => (n === undefined || Number.isNaN(n) ? '-' : String(Math.round(n)));

async function main(): Promise<void> {
  const began = Date.now();
  loadAtStart = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  const mosquitto = await startMosquitto({ config: MOSQUITTO_CONF });
  const influx = await startInflux1();
  await fetch(`${influx.url}/query`, { method: 'POST', body: new URLSearchParams({ q: 'CREATE DATABASE bench' }) });
  const proxy = new LatencyProxy(new URL(influx.url));
  await proxy.start();
  const results: Result[] = [];
  try {
    const only = (process.env.BENCH_ONLY || 'app,app-received,ours,baseline,ceiling').split(',') as Kind[];
    for (const kind of only) {
      for (const qos of (process.env.BENCH_QOS || '0,1').split(',').map(Number) as Array<0 | 1>) {
        if (kind === 'app-received' && qos === 0) continue; // QoS 0 has no acknowledgements
        process.stderr.write(`${kind} QoS ${qos}\n`);
        results.push(await runSystem(kind, qos, mosquitto.url, influx, proxy));
      }
    }
  } finally {
    await proxy.stop();
    await influx.stop();
    await mosquitto.stop();
  }
  const get = (k: Kind, q: 0 | 1) => results.find((r) => r.kind === k && r.qos === q);
  const rows = [
    ['system', 'QoS', 'sustained msg/s (0 loss)', 'p50 ms', 'p99 ms', 'peak RSS MB (that rate / any trial)', 'CPU µs/msg', 'vs baseline', 'share of ceiling'],
  ];
  const label: Record<Kind, string> = {
    app: `app as shipped: every flow file + dashboard, one browser on Overview, durable acknowledgement (node ${SHIPPED_NODE_ARGS})`,
    'app-received': 'same, acknowledging on receipt (not durable)',
    ours: `telemetry + storage tabs only (node ${SHIPPED_NODE_ARGS})`,
    'ours-plain': 'project flows, plain node (default heap limit)',
    baseline: 'stock nodes (mqtt in > json > function > influxdb out)',
    ceiling: 'ceiling: mqtt.js > batched HTTP',
  };
  for (const r of results) {
    const s = r.best?.achieved;
    const base = get('baseline', r.qos)?.best?.achieved;
    const ceil = get('ceiling', r.qos)?.best?.achieved;
    rows.push([
      label[r.kind],
      String(r.qos),
      `${r.best && r.best.target >= MAX_RATE ? '>= ' : ''}${fmt(s)}`,
      fmt(r.best?.p50),
      fmt(r.best?.p99),
      `${fmt(r.best?.rssMB)} / ${fmt(r.peakRssMB)}`,
      r.best?.cpuUsPerMsg === undefined || Number.isNaN(r.best.cpuUsPerMsg) ? '-' : r.best.cpuUsPerMsg.toFixed(1),
      // Rounded down: 9.98x is not 10x.
      (r.kind.startsWith('app') || r.kind.startsWith('ours')) && s && base ? `${(Math.floor((10 * s) / base) / 10).toFixed(1)}x` : '',
      (r.kind.startsWith('app') || r.kind.startsWith('ours')) && s && ceil ? `${Math.floor((100 * s) / ceil)} %` : '',
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  console.log(
    `\nInfluxDB benchmark: ${DEVICES} devices, ${TRIAL_S} s trials (+${DRAIN_S} s to drain), ${os.cpus().length} CPUs, node ${process.version}, load average ${load} at start ${loadAtStart}, ${Math.round((Date.now() - began) / 1000)} s\n`,
  );
  console.log(line(rows[0]));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows.slice(1)) console.log(line(r));
  const durable = get('app', 1)?.best?.achieved;
  const received = get('app-received', 1)?.best?.achieved;
  if (durable && received)
    console.log(`\nDurable acknowledgement at QoS 1: ${durable} vs ${received} msg/s acknowledging on receipt = ${Math.floor((100 * durable) / received)} %.`);
  console.log(
    `\n"sustained" = highest publisher-achieved rate whose every reading was in InfluxDB within ${DRAIN_S} s of the last publish, with p99 latency under ${MAX_P99_MS} ms; latency = publish -> InfluxDB 204 at that rate; CPU = user + system time of the process under test per message at that rate; ">=" = stopped at BENCH_MAX_RATE (${MAX_RATE}/s).`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
