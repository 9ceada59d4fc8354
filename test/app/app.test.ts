/**
 * `npm start` as a newcomer sees it: no configuration, embedded broker,
 * simulated devices flowing through the pipeline, health and metrics, and a
 * clean exit on SIGTERM.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import mqtt from 'mqtt';
import { startApp, RunningApp } from '../support/app';
import { loadCorpora, wire } from '../payload-normalizer/corpus';

let app: RunningApp;

before(async () => {
  app = await startApp({ SIMULATE_DEVICES: '2' });
});
after(async () => {
  if (app && app.proc.exitCode === null) await app.stop();
});

async function poll<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${app.log().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('the flows from flows/ and dashboards/ are deployed with our nodes', async () => {
  // The admin API can answer before the runtime has its flows; what it says is kept for the failure message.
  let last: unknown;
  const flows = await poll(
    'the deployed flows',
    async () => {
      last = await (await fetch(`${app.url}/flows`)).json();
      return Array.isArray(last) ? (last as Array<{ type: string; label?: string }>) : undefined;
    },
    15_000,
  ).catch((err: Error) => {
    throw new Error(`${err.message}; GET /flows answered ${JSON.stringify(last)?.slice(0, 500)}`);
  });
  const types = new Set(flows.map((n) => n.type));
  for (const t of ['sensor-input', 'payload-normalizer', 'influxdb-writer', 'threshold-alert', 'alert-notifier']) {
    assert.ok(types.has(t), `flows hold a ${t} node`);
  }
  const nodes = (await (await fetch(`${app.url}/nodes`, { headers: { Accept: 'application/json' } })).json()) as Array<{
    module: string;
    types: string[];
    enabled: boolean;
    err?: string;
  }>;
  const ours = nodes.filter((n) => n.module === 'node-red-iot-flow-engine');
  assert.ok(ours.length >= 10, `our node sets are registered (${ours.length})`);
  for (const set of ours) assert.equal(set.err, undefined, `${set.types} loads without error`);
});

test('simulated devices publish through the embedded broker within seconds', async () => {
  const client = await mqtt.connectAsync(app.mqttUrl, { reconnectPeriod: 0 });
  try {
    const topics = new Set<string>();
    client.on('message', (topic) => topics.add(topic.split('/').slice(0, 2).join('/')));
    // Telemetry filters: what an anonymous loopback client may read on the embedded broker.
    await client.subscribeAsync(['lifecompanion/sensors/#', 'sensors/#', 'devices/+/telemetry', 'devices/+/status', 'sensor/#']);
    await poll('messages of three device families', async () => (topics.size >= 3 ? true : undefined), 30_000);
  } finally {
    await client.endAsync();
  }
});

test('readings are normalized and the app reports ready with figures', async () => {
  const counters = await poll('normalized readings in /health/ready', async () => {
    const body = (await (await fetch(`${app.url}/health/ready`)).json()) as {
      status: string;
      counters: Record<string, number>;
      brokers: Record<string, boolean>;
    };
    return body.counters.iot_readings_normalized_total > 0 && Object.values(body.brokers).every(Boolean) ? body : undefined;
  });
  assert.ok(Object.keys(counters.brokers).length >= 1, 'the MQTT broker connection is reported');
  const metrics = await (await fetch(`${app.url}/metrics`)).text();
  const received = /^iot_messages_received_total\{family="[^"]+"\} (\d+)/m.exec(metrics);
  assert.ok(received && Number(received[1]) > 0, 'Prometheus metrics count received messages per family');
  assert.match(metrics, /^iot_process_resident_memory_bytes \d+/m);
});

test('a message from every firmware ecosystem is subscribed to and normalized by the shipped flows', async () => {
  const client = await mqtt.connectAsync(app.mqttUrl, { reconnectPeriod: 0 });
  const want = new Set<string>();
  try {
    for (const c of loadCorpora()) {
      if (c.ecosystem === 'generic') continue; // opt-in layout: no shipped subscription
      const m = c.messages.find((x) => x.expected !== undefined && !x.notInShippedFlow && !x.config && x.expected.sensorType !== 'availability');
      assert.ok(m, c.ecosystem);
      want.add(c.ecosystem);
      // A publish the broker refuses would never be acknowledged: fail with the topic instead of hanging.
      // Announcements a message needs (Home Assistant discovery) go first, as its device would send them.
      for (const x of [...(m.before ?? []), m]) {
        await Promise.race([
          client.publishAsync(x.topic, wire(x), { qos: 1 }),
          new Promise((_, reject) => setTimeout(() => reject(new Error(`no PUBACK for ${x.topic} (${c.ecosystem}) in 10 s`)), 10_000)),
        ]);
      }
    }
  } finally {
    await client.endAsync();
  }
  const seen = await poll('a normalized reading per firmware decoder in /metrics', async () => {
    const text = await (await fetch(`${app.url}/metrics`)).text();
    const got = new Set([...text.matchAll(/^iot_readings_normalized_total\{decoder="([^"]+)"\} (\d+)/gm)].filter((x) => Number(x[2]) > 0).map((x) => x[1]));
    return [...want].every((e) => got.has(e)) ? got : undefined;
  });
  for (const e of want) assert.ok(seen.has(e), e);
});

test('SIGTERM stops the app cleanly', async () => {
  const code = await app.stop();
  assert.equal(code, 0, app.log().slice(-2000));
});
