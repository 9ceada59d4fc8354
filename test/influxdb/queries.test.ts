import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildRequest, flux, fluxString, influxql, iqlIdent, iqlString, parseDuration, parseTime } from '../../nodes/influxdb/queries';

test('durations: short and spelled-out forms, anything else refused', () => {
  for (const [i, o] of [
    ['15m', '15m'],
    ['1h', '1h'],
    ['1 hour', '1h'],
    ['2 days', '2d'],
    ['30s', '30s'],
    ['500ms', '500ms'],
    ['1 minute', '1m'],
    ['1w', '1w'],
  ]) {
    assert.equal(parseDuration(i, 'interval').text, o, i);
  }
  for (const bad of ['1h; DROP DATABASE x', '0h', 'h', '1y', '1h)', 5, '1h1m'])
    assert.throws(() => parseDuration(bad, 'interval'), /interval must be a duration/, String(bad));
});

test('times: relative, ISO and epoch ms', () => {
  assert.deepEqual(parseTime('-1h', 'start'), { relativeMs: 3_600_000, text: '1h' });
  assert.deepEqual(parseTime('7d', 'start'), { relativeMs: 604_800_000, text: '7d' });
  assert.deepEqual(parseTime('2024-01-15T10:30:00Z', 'start'), { epochMs: Date.UTC(2024, 0, 15, 10, 30) });
  assert.deepEqual(parseTime(1_700_000_000_000, 'start'), { epochMs: 1_700_000_000_000 });
  assert.throws(() => parseTime('now() - 1h OR 1=1', 'start'), /start must be/);
});

test('quoting for InfluxQL and Flux escapes quotes, backslashes and Flux interpolation', () => {
  assert.equal(iqlString("a'b\\"), "'a\\'b\\\\'");
  assert.equal(iqlIdent('x"y'), '"x\\"y"');
  assert.equal(fluxString('a"${b}\\'), '"a\\"\\${b}\\\\"');
});

test('injection attempts stay inside their quotes', () => {
  const req = buildRequest({ mode: 'raw', deviceId: "x' OR 1=1 --", metric: 'temperature" FROM secrets --', measurement: 'env' });
  const q = influxql(req);
  assert.equal(
    q,
    `SELECT "temperature\\" FROM secrets --" AS "value" FROM "env" WHERE time >= now() - 1h AND "deviceId" = 'x\\' OR 1=1 --' GROUP BY "deviceId" ORDER BY time ASC LIMIT 1000`,
  );
  const f = flux(buildRequest({ mode: 'latest', deviceId: '") |> drop() //${x}', metric: 'v' }), 'iot');
  assert.match(f, /r\["deviceId"\] == "\\"\) \|> drop\(\) \/\/\\\$\{x\}"/);
  assert.throws(() => buildRequest({ metric: 'a\nb' }), /metric must be text of at most 256 printable characters/);
  assert.throws(() => buildRequest({ metric: 'v', limit: '10; DROP' }), /limit must be a whole number/);
  assert.throws(() => buildRequest({ metric: 'v', mode: 'delete' }), /mode must be one of raw, aggregate, latest, metrics/);
  assert.throws(() => buildRequest({ metric: 'v', mode: 'aggregate', fn: 'sum' }), /fn must be among mean, min, max, count/);
});

test('InfluxQL for each mode', () => {
  const base = { measurement: 'env', deviceId: 'd1', metric: 'temperature', start: '2024-01-01T00:00:00Z', stop: '2024-01-02T00:00:00Z' };
  assert.equal(
    influxql(buildRequest({ ...base, mode: 'aggregate', interval: '1 hour', fn: 'mean,min,max,count' })),
    `SELECT mean("temperature") AS "mean", min("temperature") AS "min", max("temperature") AS "max", count("temperature") AS "count" FROM "env" WHERE time >= 1704067200000ms AND time <= 1704153600000ms AND "deviceId" = 'd1' GROUP BY time(1h), "deviceId" fill(none) LIMIT 1000`,
  );
  assert.equal(
    influxql(buildRequest({ mode: 'latest', metric: 'temperature', start: '-1d' })),
    `SELECT last("temperature") AS "value" FROM /.*/ WHERE time >= now() - 1d GROUP BY "deviceId"`,
  );
  assert.equal(
    influxql(buildRequest({ mode: 'metrics', deviceId: 'd1', start: '-30d' })),
    `SELECT last(*) FROM /.*/ WHERE time >= now() - 30d AND "deviceId" = 'd1' GROUP BY "deviceId"`,
  );
  assert.throws(() => buildRequest({ mode: 'metrics' }), /deviceId is required/);
  assert.throws(() => buildRequest({ mode: 'raw' }), /metric is required/);
});

test('Flux for aggregate mode: one aggregateWindow per function, unioned', () => {
  const f = flux(buildRequest({ mode: 'aggregate', measurement: 'env', metric: 'temperature', start: '-6h', interval: '15m', fn: ['mean', 'max'] }), 'iot');
  assert.equal(
    f,
    [
      'data = from(bucket: "iot")',
      '  |> range(start: -6h)',
      '  |> filter(fn: (r) => r._measurement == "env")',
      '  |> filter(fn: (r) => r._field == "temperature")',
      'union(tables: [',
      '  data |> aggregateWindow(every: 15m, fn: mean, createEmpty: false) |> toFloat() |> set(key: "fn", value: "mean"),',
      '  data |> aggregateWindow(every: 15m, fn: max, createEmpty: false) |> toFloat() |> set(key: "fn", value: "max")',
      '])',
      '  |> group(columns: ["deviceId", "fn"])',
      '  |> sort(columns: ["_time"])',
      '  |> limit(n: 1000)',
    ].join('\n'),
  );
});
