/**
 * Benchmark publisher (child process): N simulated devices publishing
 * `sensors/<device>/<measurement>` JSON readings at a target rate over a few
 * MQTT connections. Each payload's `timestamp` is its publish time (ms,
 * strictly increasing per device), which the latency proxy reads back.
 *
 * Parent sends {url, devices, rate, seconds, qos, measurement, clients}; the
 * child answers {published, elapsedMs} once every publish is acknowledged
 * (QoS 1) or flushed (QoS 0).
 */
import mqtt from 'mqtt';

export interface PublishJob {
  url: string;
  devices: number;
  rate: number;
  seconds: number;
  qos: 0 | 1;
  measurement: string;
  clients: number;
}

async function run(job: PublishJob): Promise<{ published: number; elapsedMs: number }> {
  const clients = await Promise.all(
    Array.from(
      { length: job.clients },
      (_, i) =>
        new Promise<mqtt.MqttClient>((resolve, reject) => {
          const c = mqtt.connect(job.url, { clientId: `bench-pub-${process.pid}-${i}`, clean: true, reconnectPeriod: 0 });
          // Backpressure makes every queued publish wait for 'drain': many listeners by design.
          c.once('connect', () => {
            c.stream.setMaxListeners(0);
            resolve(c);
          });
          c.once('error', reject);
        }),
    ),
  );
  const ids = Array.from({ length: job.devices }, (_, i) => `dev-${String(i).padStart(5, '0')}`);
  const last = new Array<number>(job.devices).fill(0);
  const total = Math.round(job.rate * job.seconds);
  let sent = 0;
  let acked = 0;
  const start = Date.now();
  await new Promise<void>((resolve, reject) => {
    for (const c of clients)
      c.once('close', () => {
        if (acked < total) reject(new Error(`connection closed after ${acked} of ${total} publishes`));
      });
    const onAck = (): void => {
      if (++acked === total) resolve();
    };
    const tick = (): void => {
      const due = Math.min(total, Math.floor((job.rate * (Date.now() - start)) / 1000) + 1);
      while (sent < due) {
        const d = sent % job.devices;
        const ts = Math.max(Date.now(), last[d] + 1);
        last[d] = ts;
        // Fractions in [0.50, 0.99]: never a whole number, so the stock node's integer detection cannot cause a type conflict.
        const payload = `{"temperature":${(18 + (sent % 7) + 0.5 + (d % 50) / 100).toFixed(2)},"humidity":${(40 + (sent % 13) + 0.5).toFixed(2)},"timestamp":${ts}}`;
        clients[sent % clients.length].publish(`sensors/${ids[d]}/${job.measurement}`, payload, { qos: job.qos }, onAck);
        sent++;
      }
      if (sent < total) setTimeout(tick, 2);
    };
    tick();
  });
  const elapsedMs = Date.now() - start;
  await Promise.all(clients.map((c) => new Promise<void>((r) => c.end(false, {}, () => r()))));
  return { published: total, elapsedMs };
}

process.on('message', (job: PublishJob) => {
  run(job).then(
    (r) => process.send?.({ ok: true, ...r }),
    (err) => process.send?.({ ok: false, error: String(err) }),
  );
});
