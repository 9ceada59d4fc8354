/**
 * What the API's event tap costs the flows (issue 19): Node-RED's own hook
 * dispatch (@node-red/util hooks.trigger('onSend'), as Flow.send calls it) per
 * message, with no client (the tap's hook is not registered), and with one
 * event-stream client, for single readings, batches of 250 (the normalizer's
 * output 3) and messages of other node types. The client's writes are a
 * counter here: the figure is the tap's share, not the socket's.
 *
 *   npm run build && node dist/bench/api-tap-bench.js
 */
import { FlowTap } from '../app/api/events';

const { hooks } = require('@node-red/util');

const N = Number(process.env.TAP_MESSAGES || 1_000_000);
const DEVICES = 10_000;

function readingMsg(i: number): Record<string, unknown> {
  return {
    topic: 't',
    payload: { deviceId: `dev-${i % DEVICES}`, sensorType: 'telemetry', ts: i, received: i, metrics: { temperature: 20 + (i % 10), humidity: 50 } },
  };
}

function run(label: string, events: Array<Array<Record<string, unknown>>>, readingsPerEvent: number): void {
  const start = process.hrtime.bigint();
  for (let i = 0; i < events.length; i++) hooks.trigger('onSend', events[i], () => undefined);
  const ns = Number(process.hrtime.bigint() - start);
  const perReading = ns / (events.length * readingsPerEvent);
  console.log(
    `${label.padEnd(52)} ${perReading.toFixed(1).padStart(7)} ns/reading  (${Math.round(1e9 / perReading).toLocaleString('en')} readings/s on one core)`,
  );
}

const singles = Array.from({ length: N }, (_, i) => [{ msg: readingMsg(i), source: { id: 'norm', node: { type: 'payload-normalizer' } } }]);
const others = Array.from({ length: N }, (_, i) => [{ msg: readingMsg(i), source: { id: 'fn', node: { type: 'function' } } }]);
const batches = Array.from({ length: N / 250 }, (_, b) => [
  { msg: { payload: Array.from({ length: 250 }, (_, j) => readingMsg(b * 250 + j).payload) }, source: { id: 'norm', node: { type: 'payload-normalizer' } } },
]);

const tap = new FlowTap({ hooks });
console.log(`${N.toLocaleString('en')} readings, ${DEVICES.toLocaleString('en')} devices, node ${process.version}`);
run('no client: single readings (no hook registered)', singles, 1);
let sent = 0;
const off = tap.subscribe(() => {
  sent++;
});
run('one client: single readings from the normalizer', singles, 1);
run('one client: batches of 250 from the normalizer', batches, 250);
run('one client: messages of other node types', others, 1);
console.log(`events passed to the client (throttled to 1/s per device): ${sent.toLocaleString('en')}`);
off();
run('client gone: single readings (hook removed)', singles, 1);
console.log(`onSend hook registered after the client left: ${hooks.has('onSend')}`);
