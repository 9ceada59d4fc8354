import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildRequest } from '../../nodes/influxdb/queries';
import { QueryTarget, runQuery } from '../../nodes/influxdb/query-run';
import { Service, startInflux1 } from '../support/services';
import { influxExec, writeRaw } from './influx-support';

let influx: Service;
const target = (t: Partial<QueryTarget> = {}): QueryTarget => ({
  version: 1,
  url: influx.url,
  database: 'iot',
  retentionPolicy: '',
  org: '',
  bucket: '',
  timeoutMs: 10_000,
  ...t,
});

before(async () => {
  influx = await startInflux1();
  await influxExec(influx.url, 'CREATE DATABASE iot');
  const now = Date.now();
  await writeRaw(
    influx.url,
    'iot',
    `env,deviceId=d1 temperature=21.5 ${now - 2000}\nenv,deviceId=d1 temperature=22 ${now - 1000}\nenv,deviceId=d2 temperature=5 ${now}`,
  );
});
after(() => influx?.stop());

test('run query: no URL is a clear error before any request', async () => {
  await assert.rejects(runQuery(target({ url: '' }), buildRequest({ metric: 'temperature' })), /no database configured \(INFLUX_URL is empty\)/);
});

test('run query: InfluxQL on 1.x returns the query and its rows', async () => {
  const { query, rows } = await runQuery(target(), buildRequest({ mode: 'raw', measurement: 'env', deviceId: 'd1', metric: 'temperature' }));
  assert.match(query, /FROM "env"/);
  assert.deepEqual(
    rows.map((r) => [r.deviceId, r.metric, r.value]),
    [
      ['d1', 'temperature', 21.5],
      ['d1', 'temperature', 22],
    ],
  );
});

test('run query: an HTTP error from the server is reported with its status', async () => {
  await assert.rejects(runQuery(target({ url: `${influx.url}/not-here/` }), buildRequest({ metric: 'temperature' })), /InfluxDB answered HTTP 404/);
});
