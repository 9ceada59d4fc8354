/**
 * Micro-benchmark of the payload normalizer: messages per second on one core for
 * each seed payload shape, as a Buffer (mqtt in, binary), a string and a parsed object.
 *   npx tsc -p tsconfig.json && node dist/bench/normalizer-bench.js [seconds-per-run, default 0.5]
 */
import { parseConfig } from '../nodes/payload-normalizer/config';
import { Normalizer } from '../nodes/payload-normalizer/normalizer';
import { loadCorpora, wire } from '../test/payload-normalizer/corpus';

interface Case {
  name: string;
  topic: (i: number) => string;
  payload: (i: number) => unknown;
}

const SECONDS = Number(process.argv[2] ?? 0.5) || 0.5;
/** Best of a few runs: the figure is what one core can do, not what a busy machine left over. */
const RUNS = 3;

const cases: Case[] = [
  {
    name: 'flat: lifecompanion environmental',
    topic: (i) => `lifecompanion/sensors/ruuvi_${i % 50}/environmental`,
    payload: (i) => ({
      device_id: `ruuvi_${i % 50}`,
      timestamp: '2025-06-25T10:30:00Z',
      temperature: 22.5 + (i % 7) / 10,
      humidity: 45.2,
      pressure: 1013.25,
      battery: 85,
    }),
  },
  {
    name: 'flat: lifecompanion activity',
    topic: (i) => `lifecompanion/sensors/accel_${i % 50}/activity`,
    payload: (i) => ({ device_id: `accel_${i % 50}`, timestamp: '2025-06-25T10:30:00Z', x: 0.15, y: 0.02, z: 9.81, activity_hint: 'stationary' }),
  },
  {
    name: 'esp32: MAX30614 document',
    topic: (i) => `sensors/esp32/ESP32_${i % 50}/data`,
    payload: (i) => ({
      sensor_type: 'MAX30614',
      device_id: `ESP32_${i % 50}`,
      object_temp: 36.5,
      ambient_temp: 24.1,
      heart_rate: 72,
      spo2: 98,
      timestamp: 123456 + i,
    }),
  },
  {
    name: 'event: surveillance sensor/motion',
    topic: () => 'sensor/motion',
    payload: (i) => ({
      event_id: `evt-${i}`,
      device_id: 'raspberry-1',
      source: 'PIR',
      type: 'MOTION_DETECTED',
      data: { gpio_pin: 17, state: 'HIGH' },
      timestamp: '2025-01-15T14:30:45.123456',
    }),
  },
  {
    name: 'flat+event: raspberry motion',
    topic: (i) => `sensors/raspberry-${i % 50}/motion`,
    payload: () => ({ confidence: 0.95, location: 'entrance' }),
  },
  {
    name: 'metrics-array: devices telemetry',
    topic: (i) => `devices/dev-${i % 50}/telemetry`,
    payload: (i) => ({
      device_id: `dev-${i % 50}`,
      timestamp: '2024-01-15T10:30:00Z',
      metrics: [
        { name: 'temperature', value: 23.5, unit: '°C' },
        { name: 'humidity', value: 65.2, unit: '%' },
      ],
    }),
  },
  {
    name: 'number: plain value',
    topic: (i) => `sensors/dev${i % 50}/temperature`,
    payload: (i) => 21 + (i % 10) / 10,
  },
  {
    name: 'flat: nested sensor blocks',
    topic: (i) => `sensors/weather-${i % 50}/climate`,
    payload: () => ({ sensors: { bme280: { temperature: 21, humidity: 40.5, pressure: 101325 } } }),
  },
];

type Form = 'buffer' | 'string' | 'object';

function inputs(c: Case, form: Form): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (let i = 0; i < 1000; i++) {
    const p = c.payload(i);
    const text = JSON.stringify(p);
    out.push([c.topic(i), form === 'buffer' ? Buffer.from(text) : form === 'string' ? text : p]);
  }
  return out;
}

function run(c: Case, form: Form): { rate: number; decoder: string } {
  // Fresh normalizer per run; dedupe off so repeated event ids are measured as readings.
  const n = new Normalizer(parseConfig({ dedupeWindow: 0 }));
  const data = inputs(c, form);
  const first = n.normalize(data[0][0], data[0][1]);
  if (first.kind !== 'reading') throw new Error(`${c.name}: ${first.kind} ${first.kind === 'reject' ? first.message : ''}`);
  for (let i = 0; i < 20000; i++) n.normalize(data[i % 1000][0], data[i % 1000][1]); // warm-up
  let count = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(SECONDS * 1e9));
  let now = start;
  while (now < end) {
    for (let i = 0; i < 1000; i++) n.normalize(data[i][0], data[i][1]);
    count += 1000;
    now = process.hrtime.bigint();
  }
  const secs = Number(now - start) / 1e9;
  return { rate: count / secs, decoder: first.decoder };
}

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US').padStart(11);
console.log(`payload-normalizer benchmark, one core, best of ${RUNS} × ${SECONDS}s per case (node ${process.version})`);
console.log(`${'shape'.padEnd(36)}${'decoder'.padEnd(15)}${'Buffer msg/s'.padStart(13)}${'string msg/s'.padStart(13)}${'object msg/s'.padStart(13)}`);
for (const c of cases) {
  const best = (form: Form): { rate: number; decoder: string } => {
    let top = run(c, form);
    for (let i = 1; i < RUNS; i++) {
      const r = run(c, form);
      if (r.rate > top.rate) top = r;
    }
    return top;
  };
  const b = best('buffer');
  const s = best('string');
  const o = best('object');
  console.log(`${c.name.padEnd(36)}${b.decoder.padEnd(15)} ${fmt(b.rate)}  ${fmt(s.rate)}  ${fmt(o.rate)}`);
}

/**
 * The same environmental payload through the node's glue (input handler, stats, status
 * timer) on a minimal stand-in runtime: our whole per-message cost, without Node-RED's
 * own delivery (which node-red-node-test-helper's spies would dominate).
 */
function throughGlue(): void {
  type Handler = (msg: Record<string, unknown>, send: (m: unknown) => void, done: (e?: Error) => void) => void;
  let input: Handler | undefined;
  let close: ((removed: boolean, done: () => void) => void) | undefined;
  const fakeNode = {
    id: 'bench',
    on: (ev: string, cb: unknown) => {
      if (ev === 'input') input = cb as Handler;
      else close = cb as typeof close;
    },
    status: () => undefined,
    error: () => undefined,
    warn: () => undefined,
    log: () => undefined,
  };
  const RED = {
    nodes: {
      createNode: () => undefined,
      registerType: (_t: string, ctor: (this: unknown, def: unknown) => void) => ctor.call(fakeNode, { id: 'bench', type: 'payload-normalizer' }),
    },
  };
  (require('../nodes/payload-normalizer/payload-normalizer') as (red: unknown) => void)(RED);
  const msgs = inputs(cases[0], 'buffer');
  let sent = 0;
  const send = (): void => void sent++;
  const done = (err?: Error): void => {
    if (err) throw err;
  };
  let top = 0;
  for (let run = 0; run < RUNS; run++) {
    const total = 200000;
    const start = process.hrtime.bigint();
    for (let i = 0; i < total; i++) input!({ topic: msgs[i % 1000][0], payload: msgs[i % 1000][1] }, send, done);
    top = Math.max(top, total / (Number(process.hrtime.bigint() - start) / 1e9));
  }
  close!(true, () => undefined);
  console.log(`${'flat, through the node glue'.padEnd(36)}${'flat'.padEnd(15)} ${fmt(top)}   (${sent} readings sent)`);
}

/**
 * Each firmware ecosystem's corpus (test/payload-normalizer/corpus/) as MQTT delivers it (Buffers),
 * every message in turn: readings, availability, ignored command echoes and the few rejects.
 */
function ecosystems(): void {
  console.log(`\n${'firmware corpus (Buffer)'.padEnd(36)}${'messages'.padEnd(15)}${'msg/s'.padStart(13)}`);
  for (const c of loadCorpora()) {
    // Discovery announcements (rare, retained) are heard once, before the timing; removals are left out.
    const announcements = c.messages.flatMap((m) => m.before ?? []).filter((b) => b.payload !== '');
    const msgs = c.messages.filter((m) => !m.config && !m.topic.endsWith('/config')).map((m): [string, Buffer] => [m.topic, wire(m)]);
    let top = 0;
    for (let r = 0; r < RUNS; r++) {
      const n = new Normalizer(parseConfig({ dedupeWindow: 0 }));
      for (const b of announcements) n.normalize(b.topic, wire(b));
      for (let i = 0; i < 20000; i++) n.normalize(msgs[i % msgs.length][0], msgs[i % msgs.length][1]); // warm-up
      let count = 0;
      const start = process.hrtime.bigint();
      const end = start + BigInt(Math.round(SECONDS * 1e9));
      let now = start;
      while (now < end) {
        for (let i = 0; i < 1000; i++) n.normalize(msgs[i % msgs.length][0], msgs[i % msgs.length][1]);
        count += 1000;
        now = process.hrtime.bigint();
      }
      top = Math.max(top, count / (Number(now - start) / 1e9));
    }
    console.log(`${c.ecosystem.padEnd(36)}${String(msgs.length).padEnd(15)} ${fmt(top)}`);
  }
}

throughGlue();
ecosystems();
