/**
 * Scale-out as users run it (docs/scale-out.md): two instances of the app
 * (dist/app/start.js, every flow file) with the same MQTT_SHARE_GROUP and
 * REDIS_URL, on a real Mosquitto 2 (persistence on), redis-server and
 * InfluxDB 1.x, with a real SMTP server and webhook receiver:
 * (a) 20,000 readings from 1,000 devices are each stored exactly once, spread over both;
 * (b) a low-battery reading fires one webhook and one email; an ack on the other
 *     instance is announced once and both instances list the alert acknowledged;
 * (c) kill -9 of one instance under load: the other carries on with its share,
 *     and once the killed one is back (Mosquitto queues the dead member's share in
 *     its persistent session) no reading the broker accepted is missing;
 * (d) a Redis outage fails /health/ready (Redis named), readings go on, readiness returns;
 *     Redis comes back empty and the instances put back the alerts and last-seen times they hold;
 * (e) the fleet of (a) going silent at once, split over both instances: one grouped notification
 *     holding every silent device (one instance holds the staleness lease; the tests run in file order).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import mqtt from 'mqtt';
import { influxExec } from '../influxdb/influx-support';
import { RunningApp, startApp } from '../support/app';
import { missing, Service, startInflux1, startMosquitto, startRedis, tempDir } from '../support/services';
import { lossReport, Publisher, storedSeqs, ZL_BASE_TS, ZL_DB } from '../support/zero-loss';
import { HttpReceiver, SmtpReceiver, waitFor } from '../alert-notifier/receivers';

const skip = missing('mosquitto', 'influxd', 'redis-server');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const MOSQUITTO_CONF = `listener {{port}} 127.0.0.1
allow_anonymous true
persistence true
persistence_location {{dir}}/
autosave_interval 30
max_queued_messages 0
max_queued_bytes 268435456
max_inflight_messages 0
`;

async function waitReady(app: RunningApp, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${app.url}/health/ready`).catch(() => undefined);
    if (res?.status === 200) return;
    if (Date.now() > end) throw new Error(`the app is not ready after ${timeoutMs} ms: ${await res?.text()}\n${app.log().slice(-2000)}`);
    await sleep(200);
  }
}

/** Points this instance wrote to InfluxDB (its /metrics). */
async function pointsWritten(app: RunningApp): Promise<number> {
  const text = await (await fetch(`${app.url}/metrics`)).text();
  const m = /^iot_points_written_total(?:\{[^}]*\})? (\d+)/m.exec(text);
  return m ? Number(m[1]) : 0;
}

type ApiAlert = { id: string; ruleId: string; deviceId: string; state: string; acknowledgedBy?: string; firedAt?: number };
async function apiAlerts(app: RunningApp): Promise<ApiAlert[]> {
  const res = await fetch(`${app.url}/api/alerts`);
  return ((await res.json()) as { active: ApiAlert[] }).active ?? [];
}

describe('scale-out: two instances, one share group, one Redis', { skip, concurrency: 1 }, () => {
  let mosquitto: Service;
  let influx: Service;
  let redis: Service;
  const smtp = new SmtpReceiver();
  const hooks = new HttpReceiver();
  const apps: RunningApp[] = [];
  /** The acknowledged alert of (b); (d) checks it outlives Redis restarting empty. */
  let lowAlertId = '';
  let env: Record<string, string>;
  const dirs = [tempDir('scale-a'), tempDir('scale-b')];

  before(async () => {
    [mosquitto, influx, redis] = await Promise.all([startMosquitto({ config: MOSQUITTO_CONF }), startInflux1(), startRedis()]);
    await Promise.all([smtp.start(), hooks.start()]);
    await influxExec(influx.url, `CREATE DATABASE ${ZL_DB}`);
    env = {
      MQTT_URL: mosquitto.url,
      MQTT_SHARE_GROUP: 'iot',
      REDIS_URL: redis.url,
      INFLUX_URL: influx.url,
      INFLUX_VERSION: '1',
      INFLUX_DB: ZL_DB,
      SIMULATE_DEVICES: '0',
      SYSTEM_HEALTH_INTERVAL_S: '0',
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      ALERT_EMAIL_TO: 'ops@example.com',
      ALERT_EMAIL_FROM: 'iot@example.com',
      WEBHOOK_URL: `${hooks.url}/alerts`,
    };
    apps.push(...(await Promise.all(dirs.map((d) => startApp({ ...env, DATA_DIR: d })))));
    await Promise.all(apps.map((a) => waitReady(a)));
  });
  after(async () => {
    await Promise.all(apps.map((a) => a.stop()));
    await Promise.all([mosquitto?.stop(), influx?.stop(), redis?.stop(), smtp.stop(), hooks.stop()]);
  });

  test('(a) 20,000 readings from 1,000 devices: each stored exactly once, spread over both instances', { timeout: 120_000 }, async () => {
    const client = await mqtt.connectAsync(mosquitto.url, { clientId: `scale-pub-${process.pid}` });
    const N = 20_000;
    const acked = new Set<number>();
    for (let from = 0; from < N; from += 1000) {
      await Promise.all(
        Array.from({ length: 1000 }, (_, i) => {
          const n = from + i;
          const dev = `dev_${n % 1000}`;
          const payload = JSON.stringify({
            device_id: dev,
            timestamp: new Date(ZL_BASE_TS + n).toISOString(),
            temperature: 21,
            humidity: 50,
            pressure: 1013,
            battery: 90,
            seq: n,
          });
          return client.publishAsync(`lifecompanion/sensors/${dev}/environmental`, payload, { qos: 1 }).then(() => acked.add(n));
        }),
      );
    }
    await client.endAsync();
    assert.equal(acked.size, N);
    let stored = { seqs: new Set<number>(), points: 0 };
    const end = Date.now() + 60_000;
    while (Date.now() < end) {
      stored = await storedSeqs(influx.url, N);
      if (stored.seqs.size >= N) break;
      await sleep(1000);
    }
    const written = await Promise.all(apps.map(pointsWritten));
    console.log(`# (a) ${N} published, ${stored.seqs.size} stored, points written per instance: ${written.join(' + ')}`);
    assert.equal(stored.seqs.size, N, 'every reading stored');
    assert.equal(stored.points, N, 'one point per reading');
    // InfluxDB folds a point written twice into one: the instances' own counts tell a double write.
    assert.equal(written[0] + written[1], N, `each reading written once over both instances (${written.join(' + ')})`);
    assert.ok(written[0] > N * 0.2 && written[1] > N * 0.2, `the broker spread the readings (${written.join(' / ')})`);
  });

  test('(b) a low battery fires one webhook and one email; an ack on the other instance is announced once', { timeout: 90_000 }, async () => {
    const client = await mqtt.connectAsync(mosquitto.url, { clientId: `scale-low-${process.pid}` });
    const payload = JSON.stringify({ device_id: 'lowbat_1', timestamp: new Date().toISOString(), temperature: 21, humidity: 50, pressure: 1013, battery: 9 });
    // Twice: with a share group each copy may go to either instance; still one alert.
    await client.publishAsync('lifecompanion/sensors/lowbat_1/environmental', payload, { qos: 1 });
    await client.publishAsync('lifecompanion/sensors/lowbat_1/environmental', payload.replace('"battery":9', '"battery":8'), { qos: 1 });
    await client.endAsync();
    const lowHooks = () => hooks.requests.filter((r) => JSON.stringify(r.json).includes('lowbat_1'));
    const lowMails = () => smtp.mails.filter((m) => m.raw.includes('lowbat_1'));
    await waitFor('the webhook and the email', () => lowHooks().length >= 1 && lowMails().length >= 1, 30_000);
    await sleep(8000); // past the group wait (5 s): a second instance's copy would be out by now
    assert.equal(lowHooks().length, 1, 'one webhook');
    assert.equal(lowMails().length, 1, 'one email');
    const fired = lowHooks()[0].json as { event: string; alert: { id: string; ruleId: string } };
    assert.equal(fired.event, 'fired');
    assert.equal(fired.alert.ruleId, 'battery-low');
    // Both instances list the one alert (the other one takes it from Redis within a tick).
    for (const app of apps) {
      const end = Date.now() + 10_000;
      let mine: ApiAlert | undefined;
      while (!(mine = (await apiAlerts(app)).find((a) => a.deviceId === 'lowbat_1')) && Date.now() < end) await sleep(300);
      assert.equal(mine?.id, fired.alert.id, `${app.url} lists the alert under the id that was announced`);
    }
    // Ack on each instance in turn: the first is announced, the second is the same ack again.
    const ack = (app: RunningApp) =>
      fetch(`${app.url}/api/alerts/${encodeURIComponent(fired.alert.id)}/ack`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ by: 'op', reason: 'on it' }),
      });
    assert.ok((await ack(apps[1])).status < 300);
    const acks = () => lowHooks().filter((r) => (r.json as { event: string }).event === 'acknowledged');
    await waitFor('the ack announced', () => acks().length >= 1, 30_000);
    for (const app of apps) {
      const end = Date.now() + 10_000;
      while ((await apiAlerts(app)).find((a) => a.id === fired.alert.id)?.state !== 'acknowledged' && Date.now() < end) await sleep(300);
      const a = (await apiAlerts(app)).find((x) => x.id === fired.alert.id);
      assert.equal(a?.state, 'acknowledged', `${app.url} shows it acknowledged`);
      assert.equal(a?.acknowledgedBy, 'op');
    }
    lowAlertId = fired.alert.id;
    await sleep(7000);
    assert.equal(acks().length, 1, 'the ack announced once');
    assert.equal(lowHooks().filter((r) => (r.json as { event: string }).event === 'fired').length, 1, 'still one fired webhook');
  });

  test('(c) kill -9 of one instance under load: the other carries on, nothing the broker accepted is lost', { timeout: 150_000 }, async () => {
    await influxExec(influx.url, `DROP DATABASE ${ZL_DB}`);
    await influxExec(influx.url, `CREATE DATABASE ${ZL_DB}`);
    const RATE = 1000;
    const pub = new Publisher(mosquitto.url, RATE, 200);
    await pub.start();
    await sleep(3000);
    const victim = apps[1];
    const exited = new Promise((r) => victim.proc.once('exit', r));
    victim.proc.kill('SIGKILL');
    await exited;
    const before = await pointsWritten(apps[0]);
    const sentBefore = pub.sent;
    await sleep(4000);
    const during = (await pointsWritten(apps[0])) - before;
    const sentDuring = pub.sent - sentBefore;
    await pub.stop();
    // Mosquitto keeps handing the dead member its share (its persistent session is still a
    // member of the group) and queues it: back on the same data folder, it gets that share.
    apps[1] = await startApp({ ...env, DATA_DIR: dirs[1] });
    await waitReady(apps[1]);
    let report = await lossReport(influx.url, pub);
    const end = Date.now() + 60_000;
    while ((report.lost.length > 0 || report.stored < report.acked) && Date.now() < end) {
      await sleep(1000);
      report = await lossReport(influx.url, pub);
    }
    console.log(
      `# (c) ${pub.sent} published, ${report.acked} acknowledged, ${report.stored} stored, ${report.lost.length} lost, ${report.duplicates} duplicate points; the survivor wrote ${during} points in the 4 s alone`,
    );
    // Its own share at least (half the stream), less the writer's flush delay.
    assert.ok(during > sentDuring * 0.5 * 0.6, `the surviving instance carried on (${during} points of ${sentDuring} published in 4 s)`);
    assert.ok(report.acked > RATE * 4, `the stream ran (${report.acked})`);
    assert.deepEqual(report.lost.slice(0, 20), [], `${report.lost.length} acknowledged readings missing`);
    assert.equal(report.duplicates, 0);
  });

  test('(d) a Redis outage fails /health/ready with a clear reason, readings go on, and readiness comes back', { timeout: 90_000 }, async () => {
    const app = apps[0];
    await waitReady(app);
    await redis.stop();
    let report: { status: string; reasons: string[] } = { status: '', reasons: [] };
    const end = Date.now() + 15_000;
    while (Date.now() < end) {
      const res = await fetch(`${app.url}/health/ready`);
      report = (await res.json()) as typeof report;
      if (res.status === 503) break;
      await sleep(200);
    }
    assert.equal(report.status, 'not ready');
    assert.ok(
      report.reasons.some((r) => /^Redis \(shared state\): not connected/.test(r)),
      report.reasons.join('; '),
    );
    // Readings do not depend on Redis.
    await influxExec(influx.url, `DROP DATABASE ${ZL_DB}`);
    await influxExec(influx.url, `CREATE DATABASE ${ZL_DB}`);
    const pub = new Publisher(mosquitto.url, 500, 50);
    await pub.start();
    await sleep(3000);
    await pub.stop();
    let loss = await lossReport(influx.url, pub);
    const until = Date.now() + 30_000;
    while (loss.lost.length && Date.now() < until) {
      await sleep(1000);
      loss = await lossReport(influx.url, pub);
    }
    assert.ok(loss.acked > 500, `the stream ran (${loss.acked})`);
    assert.equal(loss.lost.length, 0, 'readings stored while Redis is away');
    // Redis comes back empty (no persistence here): the instances put back what they hold.
    const lowBattery = () => hooks.requests.filter((r) => JSON.stringify(r.json).includes('lowbat_1') && JSON.stringify(r.json).includes('battery-low')).length;
    const firedBefore = lowBattery();
    await redis.start();
    await waitReady(app, 20_000);
    await sleep(6000); // several ticks of both instances; an alert forgotten and fired again would be announced by now
    for (const a of apps) {
      const mine = (await apiAlerts(a)).find((x) => x.id === lowAlertId);
      assert.equal(mine?.state, 'acknowledged', `${a.url} still lists (b)'s alert acknowledged after Redis restarted empty`);
    }
    assert.equal(lowBattery(), firedBefore, 'nothing announced again');
  });

  test('(e) a fleet going silent, split over two instances, gives one grouped notification', { timeout: 90_000 }, async () => {
    // Both instances heard the 1,000 devices of (a); the staleness limit drops to 3 s for all.
    // The readings of (c) and (d) end first: every device is then silent for longer than the
    // limit when the rule arrives, so the storm starts at once rather than spread over the
    // seconds of (d)'s last readings (later than the group wait, they would make a follow-up).
    // Quiet first: no instance has written a point for 5 s (on a busy machine the readings of (d)
    // can still be in flight seconds after their publisher stopped).
    let last = -1;
    let quietSince = Date.now();
    for (const end = Date.now() + 60_000; Date.now() < end; await sleep(500)) {
      const written = (await pointsWritten(apps[0])) + (await pointsWritten(apps[1]));
      if (written !== last) [last, quietSince] = [written, Date.now()];
      else if (Date.now() - quietSince >= 5_000) break;
    }
    const client = await mqtt.connectAsync(mosquitto.url, { clientId: `scale-rules-${process.pid}` });
    const rules = [{ id: 'device-silent', name: 'Device silent', kind: 'staleness', after: 3, repeat: 0, severity: 'warning', enabled: true }];
    await client.publishAsync('alerts/control/rules', JSON.stringify(rules), { qos: 1 });
    await client.endAsync();
    const silent = () =>
      hooks.requests.filter(
        (r) =>
          (r.json as { ruleId?: string; alert?: { ruleId?: string } }).ruleId === 'device-silent' ||
          (r.json as { alert?: { ruleId?: string } }).alert?.ruleId === 'device-silent',
      );
    await waitFor('a device-silent notification', () => silent().length >= 1, 40_000);
    await sleep(10_000); // past the group wait (5 s) of a second instance's group
    const bodies = silent().map((r) => r.json as { event: string; transition?: string; count?: number });
    console.log(`# (e) device-silent webhooks: ${bodies.map((b) => `${b.event}${b.count ? ` of ${b.count}` : ''}`).join(', ')}`);
    assert.equal(bodies.length, 1, 'one notification for the storm');
    assert.equal(bodies[0].event, 'group');
    // Every device of (a) ends up alerted on both instances.
    const silentAlerts = async (app: RunningApp) => (await apiAlerts(app)).filter((x) => x.ruleId === 'device-silent').length;
    const allAlerted = async () => (await silentAlerts(apps[0])) >= 1000 && (await silentAlerts(apps[1])) >= 1000;
    for (const end = Date.now() + 30_000; !(await allAlerted()) && Date.now() < end;) await sleep(500);
    assert.ok(await allAlerted(), 'every silent device alerted on both instances');
    console.log(`# (e) device-silent alerts held: ${await silentAlerts(apps[0])} / ${await silentAlerts(apps[1])}`);
    // How far apart they fired: one tick of the lease holder, or spread over several.
    const fired = (await apiAlerts(apps[0])).filter((x) => x.ruleId === 'device-silent').map((x) => x.firedAt ?? 0);
    console.log(`# (e) the alerts fired within ${Math.max(...fired) - Math.min(...fired)} ms of each other`);
    // Every instance put its whole last-seen table back after (d)'s Redis restart: the lease holder
    // judges the whole fleet at once, so the one group holds every device alerted.
    assert.equal(bodies[0].count, await silentAlerts(apps[0]), 'the group holds every silent device');
  });
});
