/**
 * Scale-out benchmark (issue 16): 1, 2 and 4 instances of the app
 * (dist/app/start.js, every flow file) in one MQTT share group with one Redis,
 * on a real Mosquitto 2 and InfluxDB 1.x. For each count, SCALE_READINGS
 * (default 30,000) QoS 1 readings from 1,000 devices are published as fast as
 * the broker takes them; the run ends when every reading is written to InfluxDB.
 *
 * Prints, per instance count: throughput (readings written per second), the
 * share each instance wrote, and the CPU each instance spent per reading it
 * wrote (µs, from /proc). On a machine with few cores the throughput is bounded
 * by the cores that the instances, Mosquitto and InfluxDB share; the CPU per
 * message per instance gives the projection for a machine with more cores.
 *
 *   npm run bench:scale-out
 *   SCALE_READINGS=10000 SCALE_COUNTS=1,2 npm run bench:scale-out
 */
import fs from 'fs';
import os from 'os';
import mqtt from 'mqtt';
import { RunningApp, startApp } from '../test/support/app';
import { Service, startInflux1, startMosquitto, startRedis, tempDir } from '../test/support/services';

const READINGS = Number(process.env.SCALE_READINGS || 30_000);
const COUNTS = (process.env.SCALE_COUNTS || '1,2,4').split(',').map(Number);
const DB = 'scalebench';
/** QoS 1 publishes in flight at once (SCALE_WINDOW). */
const WINDOW = Number(process.env.SCALE_WINDOW || 15_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const MOSQUITTO_CONF = `listener {{port}} 127.0.0.1
allow_anonymous true
persistence false
max_queued_messages 0
max_queued_bytes 268435456
max_inflight_messages 0
`;

function cpuMs(pid: number | undefined): number {
  const fields = fs
    .readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /, '')
    .split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

async function written(app: RunningApp): Promise<number> {
  const text = await (await fetch(`${app.url}/metrics`)).text();
  const m = /^iot_points_written_total(?:\{[^}]*\})? (\d+)/m.exec(text);
  return m ? Number(m[1]) : 0;
}

async function ready(app: RunningApp): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if ((await fetch(`${app.url}/health/ready`).catch(() => undefined))?.status === 200) return;
    await sleep(200);
  }
  throw new Error(`instance not ready:\n${app.log().slice(-2000)}`);
}

interface Row {
  n: number;
  seconds: number;
  rate: number;
  shares: number[];
  cpuUs: number[];
}

async function run(n: number, mosquitto: Service, influx: Service, redis: Service): Promise<Row> {
  await fetch(`${influx.url}/query?q=${encodeURIComponent(`DROP DATABASE ${DB}; CREATE DATABASE ${DB}`)}`, { method: 'POST' });
  const env = {
    MQTT_URL: mosquitto.url,
    MQTT_SHARE_GROUP: `bench${n}`,
    REDIS_URL: redis.url,
    REDIS_PREFIX: `bench${n}:`,
    INFLUX_URL: influx.url,
    INFLUX_VERSION: '1',
    INFLUX_DB: DB,
    SIMULATE_DEVICES: '0',
    SYSTEM_HEALTH_INTERVAL_S: '0',
  };
  const apps = await Promise.all(Array.from({ length: n }, () => startApp({ ...env, DATA_DIR: tempDir('scale-bench') })));
  try {
    await Promise.all(apps.map(ready));
    await sleep(1000);
    const cpu0 = apps.map((a) => cpuMs(a.proc.pid));
    const client = await mqtt.connectAsync(mosquitto.url, { clientId: `scale-bench-${process.pid}-${n}` });
    const t0 = Date.now();
    // A wide window: PUBACKs wait for the durable write (up to the writer's 1 s flush), so a narrow one measures that wait.
    for (let from = 0; from < READINGS; from += WINDOW) {
      await Promise.all(
        Array.from({ length: Math.min(WINDOW, READINGS - from) }, (_, i) => {
          const k = from + i;
          const dev = `dev_${k % 1000}`;
          const payload = JSON.stringify({
            device_id: dev,
            timestamp: new Date(Date.UTC(2026, 0, 1) + k).toISOString(),
            temperature: 21,
            humidity: 50,
            pressure: 1013,
            battery: 90,
            seq: k,
          });
          return client.publishAsync(`lifecompanion/sensors/${dev}/environmental`, payload, { qos: 1 });
        }),
      );
    }
    await client.endAsync();
    let counts = apps.map(() => 0);
    const end = Date.now() + 180_000;
    while (Date.now() < end) {
      counts = await Promise.all(apps.map(written));
      if (counts.reduce((s, c) => s + c, 0) >= READINGS) break;
      await sleep(100);
    }
    const seconds = (Date.now() - t0) / 1000;
    const cpu = apps.map((a, i) => cpuMs(a.proc.pid) - cpu0[i]);
    const total = counts.reduce((s, c) => s + c, 0);
    return { n, seconds, rate: Math.round(total / seconds), shares: counts, cpuUs: cpu.map((ms, i) => Math.round((ms * 1000) / Math.max(1, counts[i]))) };
  } finally {
    await Promise.all(apps.map((a) => a.stop()));
  }
}

async function main(): Promise<void> {
  const [mosquitto, influx, redis] = await Promise.all([startMosquitto({ config: MOSQUITTO_CONF }), startInflux1(), startRedis()]);
  const rows: Row[] = [];
  try {
    for (const n of COUNTS) {
      process.stderr.write(`${n} instance(s)...\n`);
      rows.push(await run(n, mosquitto, influx, redis));
    }
  } finally {
    await Promise.all([mosquitto.stop(), influx.stop(), redis.stop()]);
  }
  const cores = os.cpus().length;
  console.log(`\nScale-out: ${READINGS} QoS 1 readings, 1,000 devices, one share group, Redis; ${cores} cores shared with Mosquitto and InfluxDB\n`);
  console.log('| instances | readings/s written | share per instance | CPU µs per reading, per instance | projection: readings/s with one core per instance |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of rows) {
    const mean = r.cpuUs.reduce((s, c) => s + c, 0) / r.cpuUs.length;
    console.log(`| ${r.n} | ${r.rate} | ${r.shares.join(' / ')} | ${r.cpuUs.join(' / ')} | ${Math.round((r.n * 1e6) / mean)} |`);
  }
}

main().catch((err: Error) => {
  console.error(err.stack || err.message);
  process.exit(1);
});
