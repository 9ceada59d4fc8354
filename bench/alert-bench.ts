/**
 * Alert engine throughput: 1,000 devices, 5 rules vs 50 rules, in one run.
 * Prints readings evaluated per second, rule evaluations per second and the
 * rules each reading actually met (the index keeps that flat), plus the cost
 * of one timer tick (staleness over every device).
 *
 *   npx tsc -p tsconfig.json && node dist/bench/alert-bench.js [seconds-per-case]
 */
import type { Reading } from '../nodes/common/types';
import { AlertEngine } from '../nodes/threshold-alert/engine';
import { DEFAULT_RULES, validateRules } from '../nodes/threshold-alert/rules';

const DEVICES = 1000;
const SECONDS = Number(process.argv[2] ?? 3);

/** Small deterministic PRNG so runs compare. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

interface Device {
  id: string;
  type: string;
  metrics: Record<string, number>;
}

function fleet(count: number): Device[] {
  const out: Device[] = [];
  for (let i = 0; i < count; i++) {
    const n = String(i).padStart(4, '0');
    if (i % 5 < 2) out.push({ id: `ruuvi_${n}`, type: 'ruuvi', metrics: { temperature: 22, humidity: 50, pressure: 1013, battery: 90 } });
    else if (i % 5 === 2) out.push({ id: `wearable-${n}`, type: 'wearable', metrics: { heart_rate: 70, spo2: 97, object_temp: 36.6, ambient_temp: 24 } });
    else if (i % 5 === 3) out.push({ id: `pi-${n}`, type: 'dht22', metrics: { temperature: 21, humidity: 45 } });
    else out.push({ id: `raspberry-${n}`, type: 'motion', metrics: {} });
  }
  return out;
}

const FIVE = DEFAULT_RULES.filter((r) => r.kind === 'threshold');

/** The 5 threshold defaults plus 45 rules for metrics and sensor types this fleet never sends. */
function fiftyElsewhere(): unknown[] {
  const extra = Array.from({ length: 45 }, (_, i) => ({
    id: `other-${i}`,
    metric: `metric_${i % 15}`,
    operator: '>',
    threshold: i,
    sensorType: `type_${i % 3}`,
    severity: 'info',
  }));
  return [...JSON.parse(JSON.stringify(FIVE)), ...extra];
}

/** The 7 defaults plus 43 rules on the fleet's own metrics, sensor types and device scopes. */
function fiftyRules(): unknown[] {
  const extra: unknown[] = [];
  const metrics = ['co2', 'voltage', 'pressure', 'rssi', 'pm25', 'noise', 'lux', 'object_temp', 'ambient_temp', 'temperature', 'humidity'];
  for (let i = 0; extra.length < 43; i++) {
    const metric = metrics[i % metrics.length];
    const rule: Record<string, unknown> = {
      id: `extra-${i}`,
      metric,
      operator: i % 3 === 0 ? 'outside' : '>',
      threshold: i % 3 === 0 ? [0, 1000 + i] : 1000 + i,
      severity: 'info',
    };
    if (i % 4 === 1) rule.sensorType = ['ruuvi', 'dht22', 'wearable', 'lora'][i % 4];
    if (i % 5 === 2) rule.deviceId = `site${i}-*`;
    extra.push(rule);
  }
  return [...JSON.parse(JSON.stringify(DEFAULT_RULES)), ...extra];
}

interface Case {
  label: string;
  rules: number;
  /** Runs for `ms` and returns readings and rule evaluations done. */
  slice(ms: number): { readings: number; evaluations: number; secs: number };
  tickMs(): number;
  summary(): string;
}

function makeCase(label: string, rulesInput: unknown[], deviceCount = DEVICES): Case {
  const rules = validateRules(rulesInput);
  const clock = { t: 1_700_000_000_000 };
  const engine = new AlertEngine(rules, { now: () => clock.t });
  engine.setArmed(true);
  const devices = fleet(deviceCount);
  const rnd = prng(42);
  let seq = 0;
  let transitions = 0;
  const step = (): number => {
    const d = devices[seq++ % deviceCount];
    const metrics: Record<string, number> = {};
    for (const m in d.metrics) {
      d.metrics[m] += (rnd() - 0.5) * (m === 'pressure' ? 2 : 1.5);
      metrics[m] = Math.round(d.metrics[m] * 10) / 10;
    }
    const r: Reading = { deviceId: d.id, sensorType: d.type, ts: clock.t, metrics, received: clock.t };
    if (d.type === 'motion' && rnd() < 0.1) r.event = { id: String(seq), type: 'motion_detected' };
    const res = engine.evaluate(r);
    transitions += res.transitions.length;
    clock.t += 5;
    return res.verdicts.length;
  };
  for (let i = 0; i < 20_000; i++) step(); // warm up
  return {
    label,
    rules: rules.length,
    slice(ms) {
      let readings = 0;
      let evaluations = 0;
      const start = process.hrtime.bigint();
      const end = start + BigInt(Math.round(ms * 1e6));
      let now = start;
      while (now < end) {
        for (let i = 0; i < 1000; i++) evaluations += step();
        readings += 1000;
        now = process.hrtime.bigint();
      }
      return { readings, evaluations, secs: Number(now - start) / 1e9 };
    },
    tickMs() {
      const start = process.hrtime.bigint();
      for (let i = 0; i < 20; i++) {
        clock.t += 1000;
        transitions += engine.tick().length;
      }
      return Number(process.hrtime.bigint() - start) / 1e6 / 20;
    },
    summary() {
      const n = engine.counts();
      return `${transitions} transitions, ${n.firing + n.acknowledged} firing, ${n.pending} pending at the end`;
    },
  };
}

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US').padStart(10);
const median = (xs: number[]): number => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Trials interleave the cases so a busy machine slows them all alike; medians are printed.
const TRIALS = 7;
const cases = [
  makeCase('1,000 devices,  5 rules', JSON.parse(JSON.stringify(FIVE))),
  makeCase('1,000 devices, 50 rules (45 for other metrics)', fiftyElsewhere()),
  makeCase('1,000 devices, 50 rules (all for this fleet)', fiftyRules()),
  makeCase('10,000 devices, 50 rules (all for this fleet)', fiftyRules(), 10_000),
];
const rates = cases.map(() => ({ readings: [] as number[], evaluations: [] as number[], perReading: 0 }));
for (let t = 0; t < TRIALS; t++) {
  cases.forEach((c, i) => {
    const r = c.slice((SECONDS * 1000) / TRIALS);
    rates[i].readings.push(r.readings / r.secs);
    rates[i].evaluations.push(r.evaluations / r.secs);
    rates[i].perReading = r.evaluations / r.readings;
  });
}
console.log(`alert engine, ${SECONDS} s per case in ${TRIALS} interleaved trials (medians), node ${process.version}, ${process.arch}`);
cases.forEach((c, i) => {
  const r = rates[i];
  console.log(
    `${c.label.padEnd(48)} ${fmt(median(r.readings))} readings/s ${fmt(median(r.evaluations))} rule evaluations/s  ` +
      `${r.perReading.toFixed(2)} of ${c.rules} rules per reading  tick ${c.tickMs().toFixed(2)} ms  (${c.summary()})`,
  );
});
