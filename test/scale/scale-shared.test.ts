/**
 * Scale-out, what else is one for the cluster (docs/scale-out.md), with two
 * instances of the app on a real Mosquitto 2, redis-server, SMTP server and
 * webhook receiver (readings spooled: no InfluxDB needed here):
 * (f) the dashboard's fleet state: both instances' GET /api/devices list every device;
 * (g) a threshold storm (1,000 devices crossing battery-low at once, spread over both):
 *     exactly one grouped webhook and one email, with the count and the list;
 * (h) an ack through the API answers once Redis settled it (a 200 means it holds
 *     cluster-wide), and a Redis that does not answer gives a 504 in time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import mqtt from 'mqtt';
import Redis from 'ioredis';
import { RunningApp, startApp } from '../support/app';
import { missing, Service, startMosquitto, startRedis, tempDir } from '../support/services';
import { HttpReceiver, SmtpReceiver, waitFor } from '../alert-notifier/receivers';

const skip = missing('mosquitto', 'redis-server');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitReady(app: RunningApp, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${app.url}/health/ready`).catch(() => undefined);
    if (res?.status === 200) return;
    if (Date.now() > end) throw new Error(`the app is not ready after ${timeoutMs} ms: ${await res?.text()}\n${app.log().slice(-2000)}`);
    await sleep(200);
  }
}

async function publish(url: string, devices: number, battery: number): Promise<void> {
  const client = await mqtt.connectAsync(url, { clientId: `scale-shared-${process.pid}-${battery}` });
  await Promise.all(
    Array.from({ length: devices }, (_, i) => {
      const dev = `storm_${i}`;
      const payload = JSON.stringify({ device_id: dev, timestamp: new Date().toISOString(), temperature: 21, humidity: 50, pressure: 1013, battery });
      return client.publishAsync(`lifecompanion/sensors/${dev}/environmental`, payload, { qos: 1 });
    }),
  );
  await client.endAsync();
}

type ApiAlert = { id: string; ruleId: string; deviceId: string; state: string; node: string };

describe('scale-out: fleet state, threshold storms and API actions are one for the cluster', { skip, concurrency: 1 }, () => {
  let mosquitto: Service;
  let redis: Service;
  let probe: Redis;
  const smtp = new SmtpReceiver();
  const hooks = new HttpReceiver();
  const apps: RunningApp[] = [];

  before(async () => {
    [mosquitto, redis] = await Promise.all([startMosquitto(), startRedis()]);
    await Promise.all([smtp.start(), hooks.start()]);
    probe = new Redis(redis.url);
    const env = {
      MQTT_URL: mosquitto.url,
      MQTT_SHARE_GROUP: 'iot',
      REDIS_URL: redis.url,
      SIMULATE_DEVICES: '0',
      SYSTEM_HEALTH_INTERVAL_S: '0',
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      ALERT_EMAIL_TO: 'ops@example.com',
      ALERT_EMAIL_FROM: 'iot@example.com',
      WEBHOOK_URL: `${hooks.url}/alerts`,
      ALERT_ACTION_TIMEOUT_S: '2',
    };
    apps.push(...(await Promise.all([tempDir('shared-a'), tempDir('shared-b')].map((d) => startApp({ ...env, DATA_DIR: d })))));
    await Promise.all(apps.map((a) => waitReady(a)));
  });
  after(async () => {
    probe?.disconnect();
    await Promise.all(apps.map((a) => a.stop()));
    await Promise.all([mosquitto?.stop(), redis?.stop(), smtp.stop(), hooks.stop()]);
  });

  test('(f) both instances list every device, though each received about half the readings', { timeout: 60_000 }, async () => {
    await publish(mosquitto.url, 200, 90);
    const count = async (app: RunningApp) => ((await (await fetch(`${app.url}/api/devices`)).json()) as unknown[]).length;
    const end = Date.now() + 15_000;
    let counts = [0, 0];
    while (Date.now() < end && !(counts[0] === 200 && counts[1] === 200)) {
      await sleep(500);
      counts = await Promise.all(apps.map(count));
    }
    console.log(`# (f) GET /api/devices: ${counts.join(' / ')} devices`);
    assert.deepEqual(counts, [200, 200]);
  });

  test('(g) 1,000 devices crossing battery-low at once over two instances: one grouped webhook and one email', { timeout: 90_000 }, async () => {
    await publish(mosquitto.url, 1000, 9);
    const low = () => hooks.requests.filter((r) => /battery-low/.test(r.body));
    const mails = () => smtp.mails.filter((m) => /battery-low/.test(m.raw));
    await waitFor('the group webhook and email', () => low().length >= 1 && mails().length >= 1, 40_000);
    await sleep(10_000); // past the group wait (5 s) of a second instance's group
    const bodies = low().map((r) => r.json as { event: string; count?: number; alerts?: Array<{ deviceId: string }> });
    console.log(`# (g) battery-low webhooks: ${bodies.map((b) => `${b.event}${b.count ? ` of ${b.count}` : ''}`).join(', ')}; emails: ${mails().length}`);
    assert.equal(bodies.length, 1, 'one webhook for the storm');
    assert.equal(bodies[0].event, 'group');
    assert.equal(bodies[0].count, 1000);
    const listed = new Set(bodies[0].alerts!.map((a) => a.deviceId));
    assert.equal(listed.size, 100, 'the first groupListMax (100) listed, each once');
    assert.ok([...listed].every((d) => /^storm_\d+$/.test(d)));
    assert.equal(mails().length, 1, 'one email');
    assert.match(mails()[0].headers.subject, /1000 alerts fired for rule battery-low/);
    assert.match(mails()[0].raw, /and 900 more/);
  });

  test('(h) an ack answers once it is settled in Redis; a Redis that does not answer gives a 504', { timeout: 60_000 }, async () => {
    const list = ((await (await fetch(`${apps[0].url}/api/alerts`)).json()) as { active: ApiAlert[] }).active;
    const [one, two] = list.filter((a) => a.ruleId === 'battery-low' && a.state === 'firing');
    assert.ok(one && two, 'the storm left firing alerts');
    const act = (app: RunningApp, a: ApiAlert, what: string) =>
      fetch(`${app.url}/api/alerts/${encodeURIComponent(a.id)}/${what}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ by: 'op' }),
      });
    const shared = async (a: ApiAlert) => {
      const rec = await probe.hget(`iot:{${a.node}}:alerts`, `${a.ruleId}\u0000${a.deviceId}`);
      return rec ? (JSON.parse(rec) as { state: string }).state : 'gone';
    };
    assert.equal(await shared(one), 'firing');
    // Redis holds its scripts for 1.5 s: the answer waits for them.
    await probe.call('CLIENT', 'PAUSE', '1500', 'WRITE');
    const t0 = Date.now();
    const res = await act(apps[1], one, 'ack');
    const waited = Date.now() - t0;
    const state = await shared(one);
    console.log(`# (h) ack answered ${res.status} after ${waited} ms; Redis then says ${state}`);
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(state, 'acknowledged', 'a 200 means settled in Redis');
    assert.equal(((await res.json()) as { state: string }).state, 'acknowledged');
    // Redis that does not answer within ALERT_ACTION_TIMEOUT_S (2 s): 504, and the action is applied afterwards.
    await probe.call('CLIENT', 'PAUSE', '4000', 'WRITE');
    const t1 = Date.now();
    const late = await act(apps[0], two, 'resolve');
    const body = (await late.json()) as { error?: string };
    console.log(`# (h) resolve with Redis paused: ${late.status} after ${Date.now() - t1} ms: ${body.error}`);
    assert.equal(late.status, 504);
    assert.match(String(body.error), /not settled within 2 s/);
    const end = Date.now() + 10_000;
    while ((await shared(two)) !== 'gone' && Date.now() < end) await sleep(200);
    assert.equal(await shared(two), 'gone', 'resolved once Redis answered');
  });
});
