/**
 * Cost of the shared fleet state on the reading path (scale-out, issue 16; the
 * app's throughput matters, issue 12). Runs the shipped fleet state function
 * (dashboards/dashboard.json, fn-device-state) as Node-RED's memory context
 * would (no cloning), with readings in batches of 250 (the normalizer's
 * output) and one tick per SHARE_BENCH_TICK readings (about one second of
 * readings at the app's rate), without and with a FleetShare on a real
 * redis-server. Prints µs per reading: the reading itself (unchanged code),
 * and with the tick and the Redis exchange (same thread) spread over the
 * readings.
 *
 *   npm run bench:fleet-share
 */
import Redis from 'ioredis';
import { FleetShare } from '../nodes/common/fleet-share';
import { dashboardNodes } from '../test/dashboard/flow-functions';
import { startRedis } from '../test/support/services';

const DEVICES = Number(process.env.SHARE_BENCH_DEVICES ?? 10_000);
const READINGS = Number(process.env.SHARE_BENCH_READINGS ?? 200_000);
const PER_TICK = Number(process.env.SHARE_BENCH_TICK ?? 9_000);
const BATCH = 250;

type Fn = (msg: Record<string, unknown>) => unknown;
function fleetFunction(global: Map<string, unknown>): Fn {
  const def = dashboardNodes().find((n) => n.id === 'fn-device-state')!;
  const flow = new Map<string, unknown>();
  const store = (m: Map<string, unknown>) => ({ get: (k: string) => m.get(k), set: (k: string, v: unknown) => m.set(k, v) });
  const body = new Function('msg', 'flow', 'context', 'env', 'node', 'global', def.func as string);
  const node = { warn: () => undefined, error: () => undefined, log: () => undefined, send: () => undefined };
  const g = { get: (k: string) => global.get(k), set: (k: string, v: unknown) => global.set(k, v) };
  return (msg) => body(msg, store(flow), store(new Map()), { get: () => undefined }, node, g);
}

async function run(share?: FleetShare): Promise<{ reading: number; total: number; cpu: number }> {
  const fn = fleetFunction(new Map(share ? [['iotFleetShare', share]] : []));
  let readingNs = 0n;
  let otherNs = 0n;
  const cpu0 = process.cpuUsage();
  for (let n = 0; n < READINGS; n += BATCH) {
    const now = Date.now();
    const payload = Array.from({ length: BATCH }, (_, i) => ({
      deviceId: `dev-${(n + i) % DEVICES}`,
      sensorType: 'environmental',
      ts: now,
      received: now,
      metrics: { temperature: 21 + ((n + i) % 7), humidity: 50, pressure: 1013, battery: 90 },
      units: { temperature: '°C' },
    }));
    const t0 = process.hrtime.bigint();
    fn({ topic: 'readings', payload });
    readingNs += process.hrtime.bigint() - t0;
    if ((n + BATCH) % PER_TICK < BATCH) {
      const t1 = process.hrtime.bigint();
      fn({ topic: 'tick', payload: 0 });
      if (share) await share.exchange();
      otherNs += process.hrtime.bigint() - t1;
    }
  }
  const cpu = process.cpuUsage(cpu0);
  return { reading: Number(readingNs) / 1000 / READINGS, total: Number(readingNs + otherNs) / 1000 / READINGS, cpu: (cpu.user + cpu.system) / READINGS };
}

async function main(): Promise<void> {
  const redis = await startRedis();
  const client = new Redis(redis.url);
  try {
    await run(); // warm-up
    const off = await run();
    const share = new FleetShare(client, 'bench:', { maxDevices: DEVICES, ttlMs: 3_600_000, instance: 'bench', intervalMs: 3_600_000 });
    const on = await run(share);
    share.close();
    console.log(`fleet state, ${READINGS} readings over ${DEVICES} devices, a tick every ${PER_TICK} readings`);
    console.log('| | µs per reading: the reading | app CPU, with tick and exchange | wall, with tick and exchange (incl. waiting for Redis) |');
    console.log('| --- | --- | --- | --- |');
    console.log(`| REDIS_URL unset | ${off.reading.toFixed(2)} | ${off.cpu.toFixed(2)} | ${off.total.toFixed(2)} |`);
    console.log(`| shared (FleetShare) | ${on.reading.toFixed(2)} | ${on.cpu.toFixed(2)} | ${on.total.toFixed(2)} |`);
  } finally {
    client.disconnect();
    await redis.stop();
  }
}

void main();
