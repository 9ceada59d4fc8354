/** influxdb-query node: every mode against a real InfluxDB 1.x, and the Flux path against a stub 2.x server. */
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { helper, load } from '../support/red';
import { freePort, missing, Service, startInflux1 } from '../support/services';
import { influxExec, writeRaw } from './influx-support';

const skip = missing('influxd');
let influx: Service;
const T0 = Date.UTC(2024, 0, 1);
const modules = (): unknown[] => {
  const root = path.resolve(__dirname, '..', '..', 'nodes', 'influxdb');
  const core = path.resolve(__dirname, '..', '..', '..', 'node_modules', '@node-red', 'nodes', 'core', 'common');
  return [require(path.join(core, '25-catch.js')), require(path.join(root, 'influxdb-config.js')), require(path.join(root, 'influxdb-query.js'))];
};
const flow = (version: string, url: string, extra: Record<string, unknown> = {}) => [
  { id: 'tab', type: 'tab' },
  { id: 'influxdb-default', type: 'iot-influxdb-config', version, url, database: 'q', org: 'iot', bucket: 'iot' },
  {
    id: 'query',
    type: 'influxdb-query',
    z: 'tab',
    influx: 'influxdb-default',
    mode: 'raw',
    start: new Date(T0).toISOString(),
    stop: new Date(T0 + 7_200_000).toISOString(),
    interval: '1h',
    fn: 'mean',
    limit: 1000,
    wires: [['out']],
    ...extra,
  },
  { id: 'out', type: 'helper', z: 'tab' },
  { id: 'catcher', type: 'catch', z: 'tab', scope: null, wires: [['caught']] },
  { id: 'caught', type: 'helper', z: 'tab' },
];

/** Sends one message and resolves with the output (or rejects with what the Catch node saw). */
let pending: { resolve(m: any): void; reject(e: Error): void } | undefined;
async function start(f: unknown[], creds?: Record<string, unknown>): Promise<void> {
  await load(modules(), f, creds);
  // Node-RED nodes do not support once('input'): one listener each, answering the pending ask.
  helper.getNode('out').on('input', (m: any) => pending?.resolve(m));
  helper.getNode('caught').on('input', (m: any) => pending?.reject(new Error(m.error.message)));
}
function ask(msg: Record<string, unknown>): Promise<any> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer in 10 s')), 10_000);
    pending = {
      resolve: (m) => {
        clearTimeout(timer);
        pending = undefined;
        resolve(m);
      },
      reject: (e) => {
        clearTimeout(timer);
        pending = undefined;
        reject(e);
      },
    };
    helper.getNode('query').receive(msg);
  });
}

before(async () => {
  if (skip) return;
  influx = await startInflux1();
  await influxExec(influx.url, 'CREATE DATABASE q');
  const lines: string[] = [];
  for (let i = 0; i < 8; i++) lines.push(`env,deviceId=a temperature=${20 + i},humidity=${50 + i} ${T0 + i * 15 * 60_000}`);
  for (let i = 0; i < 4; i++) lines.push(`env,deviceId=b temperature=${30 + i} ${T0 + i * 30 * 60_000}`);
  await writeRaw(influx.url, 'q', lines.join('\n'));
});
after(async () => {
  await influx?.stop();
});
afterEach(async () => {
  await helper.unload();
});

test('raw range for one device, oldest first, as chart points', { skip }, async () => {
  await start(flow('1', influx.url));
  const m = await ask({ deviceId: 'a', metric: 'temperature' });
  assert.deepEqual(
    m.payload.map((p: any) => p.y),
    [20, 21, 22, 23, 24, 25, 26, 27],
  );
  assert.equal(m.payload[0].x, T0);
  assert.equal(m.payload[0].series, 'a');
  assert.equal(m.rows.length, 8);
  assert.match(m.query, /^SELECT "temperature" AS "value" FROM \/\.\*\/ WHERE/);
});

test('aggregated windows: mean, min, max, count per hour and device', { skip }, async () => {
  await start(flow('1', influx.url, { mode: 'aggregate' }));
  const m = await ask({ payload: { metric: 'temperature', fn: 'mean,min,max,count', deviceId: 'a' } });
  const byFn = (fn: string) => m.rows.filter((r: any) => r.fn === fn).map((r: any) => r.value);
  assert.deepEqual(byFn('mean'), [21.5, 25.5]);
  assert.deepEqual(byFn('min'), [20, 24]);
  assert.deepEqual(byFn('max'), [23, 27]);
  assert.deepEqual(byFn('count'), [4, 4]);
  assert.ok(m.payload.some((p: any) => p.series === 'a count' && p.y === 4));
});

test('latest value per device and metrics of a device', { skip }, async () => {
  await start(flow('1', influx.url, { mode: 'latest' }));
  const latest = await ask({ metric: 'temperature' });
  assert.deepEqual(latest.rows.map((r: any) => [r.deviceId, r.value]).sort(), [
    ['a', 27],
    ['b', 33],
  ]);
  const metrics = await ask({ mode: 'metrics', deviceId: 'a' });
  assert.deepEqual(metrics.rows.map((r: any) => [r.metric, r.value]).sort(), [
    ['humidity', 57],
    ['temperature', 27],
  ]);
});

test('an injection attempt in deviceId matches nothing; a bad range reaches the Catch node', { skip }, async () => {
  await start(flow('1', influx.url));
  const m = await ask({ deviceId: 'a\' OR "deviceId"=\'b', metric: 'temperature' });
  assert.deepEqual(m.rows, []);
  await assert.rejects(ask({ metric: 'temperature', start: 'yesterday; DROP DATABASE q' }), /start must be a duration before now/);
  const after = await ask({ deviceId: 'b', metric: 'temperature' });
  assert.equal(after.rows.length, 4, 'database still there');
});

test('2.x: the Flux query goes to /api/v2/query with the token and the CSV answer becomes points', async () => {
  const seen: Array<{ url?: string; auth?: string; body: string }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({ url: req.url, auth: req.headers.authorization, body });
      res.writeHead(200, { 'Content-Type': 'text/csv' });
      res.end(
        [
          '#datatype,string,long,dateTime:RFC3339,double,string,string,string',
          '#group,false,false,false,false,true,true,true',
          '#default,_result,,,,,,',
          ',result,table,_time,_value,_field,_measurement,deviceId',
          ',,0,2024-01-01T00:00:00Z,21.5,temperature,env,a',
          ',,0,2024-01-01T00:15:00Z,22,temperature,env,a',
          '',
        ].join('\r\n'),
      );
    });
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  try {
    await start(flow('2', `http://127.0.0.1:${port}`), { 'influxdb-default': { token: 'tkn' } });
    const m = await ask({ deviceId: 'a', metric: 'temperature' });
    assert.deepEqual(m.payload, [
      { x: T0, y: 21.5, series: 'a' },
      { x: T0 + 900_000, y: 22, series: 'a' },
    ]);
    assert.match(seen[0].url ?? '', /^\/api\/v2\/query\?org=iot/);
    assert.equal(seen[0].auth, 'Token tkn');
    assert.match(JSON.parse(seen[0].body).query, /r\["deviceId"\] == "a"/);
  } finally {
    server.close();
  }
});
