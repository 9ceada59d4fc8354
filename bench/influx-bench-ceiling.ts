/**
 * Benchmark ceiling (child process): a plain mqtt.js subscriber that turns
 * each JSON message into a line and writes batches (5,000 lines or 1 s)
 * straight to InfluxDB; no Node-RED, no validation, no spool, no retry.
 */
import mqtt from 'mqtt';

const url = process.env.BENCH_MQTT as string;
const write = process.env.BENCH_WRITE as string;
const qos = Number(process.env.BENCH_QOS) as 0 | 1;
let lines: string[] = [];
let timer: NodeJS.Timeout | undefined;
let chain = Promise.resolve();

function flush(): void {
  if (timer) clearTimeout(timer);
  timer = undefined;
  if (lines.length === 0) return;
  const body = lines.join('\n');
  lines = [];
  chain = chain.then(() =>
    fetch(write, { method: 'POST', body })
      .then((r) => r.text())
      .then(
        () => undefined,
        () => undefined,
      ),
  );
}

const client = mqtt.connect(url, { clientId: `bench-ceiling-${process.pid}`, clean: true });
client.on('connect', () => {
  client.subscribe('sensors/#', { qos }, () => process.send?.({ ready: true }));
});
client.on('message', (topic, buf) => {
  const [, device, measurement] = topic.split('/');
  const p = JSON.parse(buf.toString());
  lines.push(`${measurement},deviceId=${device} temperature=${p.temperature},humidity=${p.humidity} ${p.timestamp}`);
  if (lines.length >= 5000) flush();
  else if (!timer) timer = setTimeout(flush, 1000);
});
process.on('message', (m: { stop?: boolean }) => {
  if (m.stop) client.end(true, {}, () => process.exit(0));
});
