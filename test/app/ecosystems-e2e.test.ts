/**
 * End to end per ecosystem, through the app as shipped (dist/app/start.js) with
 * a real InfluxDB 1.x: one real message per ecosystem from the firmware corpus
 * (test/payload-normalizer/corpus) is published over MQTT to the embedded broker; each
 * device must end as a point in InfluxDB and as a device in GET /api/devices
 * (the dashboard's fleet state). `generic` has no default subscription (it reads
 * whatever tree a user subscribes to), so it is not part of the shipped flow.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import mqtt from 'mqtt';
import { covered } from '../../app/broker-acl';
import { defaultSubscriptions, topicDecoderByName } from '../../nodes/payload-normalizer/decoders/index';
import { loadCorpora, wire, type CorpusMessage } from '../payload-normalizer/corpus';
import { startApp, RunningApp } from '../support/app';
import { influxQuery, missing, Service, startInflux1 } from '../support/services';

const skip = missing('influxd');
let influx: Service;
let app: RunningApp;

before(async () => {
  if (skip) return;
  influx = await startInflux1();
  await fetch(`${influx.url}/query`, { method: 'POST', body: new URLSearchParams({ q: 'CREATE DATABASE iot' }) });
  app = await startApp({ SIMULATE_DEVICES: '0', INFLUX_URL: influx.url, INFLUX_VERSION: '1', INFLUX_DB: 'iot' });
});
after(async () => {
  if (app && app.proc.exitCode === null) await app.stop();
  await influx?.stop();
});

/** Per ecosystem, the first corpus message the shipped flow subscribes to that gives a plain Reading (no event), with a device id of its own. */
function picks(): Array<{ ecosystem: string; m: CorpusMessage }> {
  const subs = defaultSubscriptions();
  const ids = new Set<string>();
  const out: Array<{ ecosystem: string; m: CorpusMessage }> = [];
  for (const c of loadCorpora()) {
    if (c.ecosystem === 'generic') continue;
    const m = c.messages.find(
      (x) =>
        x.expected &&
        !x.notInShippedFlow &&
        !x.config &&
        !x.expected.event &&
        typeof x.expected.deviceId === 'string' &&
        x.expected.sensorType !== 'availability' &&
        Object.keys(x.expected.metrics ?? x.expected.metricsInclude ?? {}).length > 0 &&
        !ids.has(x.expected.deviceId) &&
        subs.some((s) => covered(s, x.topic)),
    );
    assert.ok(m, `${c.ecosystem}: no corpus message the shipped flow reads`);
    ids.add(m.expected!.deviceId);
    out.push({ ecosystem: c.ecosystem, m });
  }
  return out;
}

test('one real message per ecosystem reaches InfluxDB and the fleet state (GET /api/devices)', { skip, timeout: 60_000 }, async () => {
  assert.deepEqual(topicDecoderByName('generic')?.topics, [], 'generic is left out because it has no default subscription');
  const chosen = picks();
  assert.ok(chosen.length >= 11, `ecosystems: ${chosen.map((c) => c.ecosystem).join(', ')}`);
  const client = await mqtt.connectAsync(app.mqttUrl, { ...app.mqttAppLogin(), reconnectPeriod: 0 });
  for (const { m } of chosen) {
    // Announcements a message needs first (Home Assistant discovery), as its device would send them.
    for (const b of m.before ?? []) await client.publishAsync(b.topic, wire(b), { qos: 1 });
    await client.publishAsync(m.topic, wire(m), { qos: 1 });
  }
  await client.endAsync();

  const end = Date.now() + 40_000;
  const missingIn = async (): Promise<string[]> => {
    const res = await fetch(`${app.url}/api/devices`);
    const devices = res.ok ? ((await res.json()) as Array<{ deviceId: string; metrics: Record<string, { value: number }> }>) : [];
    const out: string[] = [];
    for (const { ecosystem, m } of chosen) {
      const id = m.expected!.deviceId as string;
      const want = (m.expected!.metrics ?? m.expected!.metricsInclude) as Record<string, number>;
      const [metric, value] = Object.entries(want)[0];
      const d = devices.find((x) => x.deviceId === id);
      if (!d || Math.abs((d.metrics[metric]?.value ?? NaN) - value) > 1e-6) {
        out.push(`${ecosystem}: ${id} not in /api/devices with ${metric}=${value}`);
        continue;
      }
      const rows = await influxQuery(influx.url, 'iot', `SELECT * FROM /.*/ WHERE "deviceId" = '${id.replace(/'/g, "\\'")}'`);
      if (!rows.some((r) => typeof r[metric] === 'number' && Math.abs((r[metric] as number) - value) < 1e-6))
        out.push(`${ecosystem}: no point of ${id} with ${metric}=${value} in InfluxDB`);
    }
    return out;
  };
  let left = await missingIn();
  while (left.length && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 1000));
    left = await missingIn();
  }
  assert.deepEqual(left, [], app.log().slice(-3000));
});
