/**
 * The durability promise, tested as a user runs the app: `dist/app/start.js`
 * with every flow file, a real Mosquitto with persistence and a real InfluxDB
 * 1.x, a steady QoS 1 stream of readings. Each scenario injects its fault
 * three times at different moments of one stream; afterwards every reading
 * the broker acknowledged to the publisher must be exactly one point in
 * InfluxDB (device times are unique, so a reading written twice would still
 * be one point, and a point per reading is checked too).
 *
 * ZL_RATE (readings/s, default 2000) sets the stream's rate.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { influxExec } from '../influxdb/influx-support';
import { RunningApp, startApp } from '../support/app';
import { missing, Service, startInflux1, startMosquitto, tempDir } from '../support/services';
import { lossReport, Publisher, ZL_DB } from '../support/zero-loss';

const RATE = Number(process.env.ZL_RATE || 2000);
const skip = missing('mosquitto', 'influxd');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitReady(app: RunningApp, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${app.url}/health/ready`).catch(() => undefined);
    if (res?.status === 200) return;
    if (Date.now() > end) throw new Error(`the app is not ready after ${timeoutMs} ms: ${await res?.text()}`);
    await sleep(200);
  }
}

const MOSQUITTO_CONF = `listener {{port}} 127.0.0.1
allow_anonymous true
persistence true
persistence_location {{dir}}/
autosave_interval 30
max_queued_messages 0
max_queued_bytes 268435456
max_inflight_messages 0
`;

describe('zero readings lost', { skip, concurrency: 1 }, () => {
  let mosquitto: Service;
  let influx: Service;
  before(async () => {
    mosquitto = await startMosquitto({ config: MOSQUITTO_CONF });
    influx = await startInflux1();
  });
  after(async () => {
    await mosquitto?.stop();
    await influx?.stop();
  });

  /** One stream with the app running; `faults` injects the fault three times; returns the app to stop. */
  async function scenario(
    name: string,
    faults: (ctx: { app: () => RunningApp; restartApp: (how: 'SIGKILL' | 'SIGTERM') => Promise<void> }) => Promise<void>,
  ): Promise<void> {
    await influxExec(influx.url, `DROP DATABASE ${ZL_DB}`);
    await influxExec(influx.url, `CREATE DATABASE ${ZL_DB}`);
    const env = {
      MQTT_URL: mosquitto.url,
      INFLUX_URL: influx.url,
      INFLUX_VERSION: '1',
      INFLUX_DB: ZL_DB,
      SIMULATE_DEVICES: '0',
      DATA_DIR: tempDir('zero-loss'),
    };
    let app = await startApp(env);
    const restartApp = async (how: 'SIGKILL' | 'SIGTERM'): Promise<void> => {
      if (how === 'SIGKILL') {
        const exited = new Promise((r) => app.proc.once('exit', r));
        app.proc.kill('SIGKILL');
        await exited;
      } else {
        assert.equal(await app.stop(), 0, `SIGTERM: the app exits cleanly\n${app.log().slice(-2000)}`);
      }
      app = await startApp(env);
    };
    const pub = new Publisher(mosquitto.url, RATE);
    try {
      // Subscribed first: what is published before the app's session exists is not the app's to lose.
      await waitReady(app);
      await pub.start();
      await sleep(2000);
      await faults({ app: () => app, restartApp });
      await sleep(2000);
      await pub.stop();
      let report = await lossReport(influx.url, pub);
      const end = Date.now() + 90_000;
      while ((report.lost.length > 0 || report.stored < report.acked) && Date.now() < end) {
        await sleep(1000);
        report = await lossReport(influx.url, pub);
      }
      console.log(
        `# ${name}: ${pub.sent} published, ${report.acked} acknowledged by the broker, ${report.stored} stored, ${report.lost.length} lost, ${report.duplicates} duplicate points`,
      );
      assert.equal(report.acked > RATE * 5, true, `the stream ran (${report.acked} acknowledged)`);
      assert.deepEqual(report.lost.slice(0, 20), [], `${report.lost.length} acknowledged readings missing from InfluxDB\n${app.log().slice(-3000)}`);
      assert.equal(report.duplicates, 0, 'one point per reading');
    } finally {
      await pub.stop(1000).catch(() => undefined);
      await app.stop();
    }
  }

  test('kill -9 of the app mid-stream, restarted at once (3 times)', { timeout: 240_000 }, async () => {
    await scenario('kill -9', async ({ restartApp }) => {
      for (const wait of [1500, 2500, 3500]) {
        await sleep(wait);
        await restartApp('SIGKILL');
      }
    });
  });

  test('kill -9 of the app while InfluxDB is down (3 times)', { timeout: 300_000 }, async () => {
    await scenario('kill -9, InfluxDB down', async ({ restartApp }) => {
      for (const wait of [1000, 2000, 3000]) {
        await influx.stop();
        await sleep(wait);
        await restartApp('SIGKILL');
        await sleep(1500);
        await influx.start();
        await sleep(1500);
      }
    });
  });

  test('SIGTERM of the app, then restart (3 times)', { timeout: 240_000 }, async () => {
    await scenario('SIGTERM', async ({ restartApp }) => {
      for (const wait of [1500, 2500, 3500]) {
        await sleep(wait);
        await restartApp('SIGTERM');
      }
    });
  });

  test('Mosquitto stopped for 10 s and started again (3 times)', { timeout: 300_000 }, async () => {
    await scenario('Mosquitto restart', async () => {
      for (const wait of [1500, 2500, 3500]) {
        await sleep(wait);
        await mosquitto.stop();
        await sleep(10_000);
        await mosquitto.start();
      }
    });
  });

  test('InfluxDB down 30 s, app up (3 times)', { timeout: 360_000 }, async () => {
    await scenario('InfluxDB down 30 s', async () => {
      for (const wait of [1500, 2500, 3500]) {
        await sleep(wait);
        await influx.stop();
        await sleep(30_000);
        await influx.start();
      }
    });
  });
});
