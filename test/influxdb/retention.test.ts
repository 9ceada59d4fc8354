/** scripts/influx-retention against a real InfluxDB 1.x, and the statements it builds. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { downsampleTask, influx1Statements } from '../../scripts/influx-retention';
import { influxQuery, missing, Service, startInflux1 } from '../support/services';
import { until, writeRaw } from './influx-support';

const run = promisify(execFile);
const SCRIPT = path.resolve(__dirname, '..', '..', 'scripts', 'influx-retention.js');
const skip = missing('influxd');
let influx: Service | undefined;
after(async () => {
  await influx?.stop();
});

const opts = { version: 1 as const, url: 'http://x', database: 'iot', org: 'iot', bucket: 'iot', raw: '90d', hourly: '730d' };

test('1.x statements: create on a fresh database, alter and replace when run again', () => {
  const fresh = influx1Statements(opts, ['autogen'], []);
  assert.deepEqual(fresh.slice(0, 3), [
    'CREATE DATABASE "iot"',
    'CREATE RETENTION POLICY "raw" ON "iot" DURATION 90d REPLICATION 1 DEFAULT',
    'CREATE RETENTION POLICY "hourly" ON "iot" DURATION 730d REPLICATION 1',
  ]);
  const again = influx1Statements(opts, ['autogen', 'raw', 'hourly'], ['cq_hourly']);
  assert.equal(again[1], 'ALTER RETENTION POLICY "raw" ON "iot" DURATION 90d REPLICATION 1 DEFAULT');
  assert.equal(again[3], 'DROP CONTINUOUS QUERY "cq_hourly" ON "iot"');
  assert.throws(() => influx1Statements({ ...opts, raw: '90 days; DROP' }, [], []), /--raw must be a duration/);
});

test('2.x task writes mean/min/max/count into <bucket>_hourly', () => {
  const flux = downsampleTask({ bucket: 'iot', org: 'iot' });
  assert.match(flux, /^option task = \{name: "iot-downsample-hourly", every: 1h/);
  for (const f of ['mean', 'min', 'max', 'count'])
    assert.match(flux, new RegExp(`fn: ${f}, createEmpty: false.*"${f}_" \\+ r._field.*to\\(bucket: "iot_hourly"`));
});

test('the script applies retention policies and the continuous query to a real influxd, twice', { skip, timeout: 90_000 }, async () => {
  influx = await startInflux1();
  const env = { ...process.env, INFLUX_URL: influx.url, INFLUX_VERSION: '1', INFLUX_DB: 'iot' };
  const apply = async (): Promise<void> => {
    const { stdout } = await run(process.execPath, [SCRIPT], { env });
    assert.match(stdout, /Applied \(InfluxDB 1\.x/);
  };
  await apply();
  const rps = await influxQuery(influx.url, 'iot', 'SHOW RETENTION POLICIES ON "iot"');
  const raw = rps.find((r) => r.name === 'raw');
  assert.equal(raw?.duration, '2160h0m0s');
  assert.equal(raw?.default, true);
  assert.equal(rps.find((r) => r.name === 'hourly')?.duration, '17520h0m0s');
  // Readings written with no retention policy land in "raw".
  const hourAgo = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000;
  await writeRaw(influx.url, 'iot', [`env,deviceId=a temperature=20 ${hourAgo + 1000}`, `env,deviceId=a temperature=22 ${hourAgo + 2000}`].join('\n'));
  // Run again: policies are altered, the query replaced; a new query runs once at once, then hourly.
  await apply();
  assert.equal((await influxQuery(influx.url, 'iot', 'SHOW RETENTION POLICIES ON "iot"')).length, 3);
  const cqs = await influxQuery(influx.url, 'iot', 'SHOW CONTINUOUS QUERIES');
  const cq = cqs.find((r) => r.name === 'cq_hourly');
  assert.ok(cq, JSON.stringify(cqs));
  assert.match(String(cq.query), /mean\(\*\), min\(\*\), max\(\*\), count\(\*\) INTO iot\.hourly\.:MEASUREMENT FROM iot\.raw\.\/\.\*\//);
  await until(
    'hourly aggregate',
    async () => {
      try {
        const rows = await influxQuery(influx!.url, 'iot', 'SELECT * FROM "iot"."hourly"."env"');
        return rows.some((r) => r.mean_temperature === 21 && r.count_temperature === 2);
      } catch {
        return false;
      }
    },
    30_000,
    500,
  );
});
