import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseInfluxConfig, parseWriterConfig, resolveCredentials, WRITER_DEFAULTS, writeTarget } from '../../nodes/influxdb/config';
import { authHeader, writeUrl } from '../../nodes/influxdb/http-write';

const def = (extra: Record<string, unknown>) => ({ id: 'c', type: 'iot-influxdb-config', ...extra });

test('unresolved ${VAR} values count as empty and fall back to the defaults', () => {
  const c = parseInfluxConfig(
    def({ version: '${INFLUX_VERSION}', url: '${INFLUX_URL}', database: '${INFLUX_DB}', org: '${INFLUX_ORG}', bucket: '${INFLUX_BUCKET}' }),
  );
  assert.deepEqual(c, { version: 2, url: '', database: 'iot', retentionPolicy: '', org: 'iot', bucket: 'iot', configVersion: 1 });
});

test('version and url are checked, naming the field and the variable', () => {
  assert.throws(() => parseInfluxConfig(def({ version: '4' })), /version must be 1 or 2 \(INFLUX_VERSION\), got "4"/);
  assert.throws(() => parseInfluxConfig(def({ url: 'influx:8086' })), /url must look like http:\/\/host:8086 \(INFLUX_URL\), got "influx:8086"/);
  assert.equal(parseInfluxConfig(def({ version: '3', url: 'https://x' })).version, 2);
});

test('credentials: node credentials first, then INFLUX_TOKEN', () => {
  assert.deepEqual(resolveCredentials(2, { token: 'own' }, { INFLUX_TOKEN: 'env' }), { token: 'own' });
  assert.deepEqual(resolveCredentials(2, {}, { INFLUX_TOKEN: 'env' }), { token: 'env' });
  assert.deepEqual(resolveCredentials(2, { token: '${INFLUX_TOKEN}' }, {}), { token: undefined });
  assert.deepEqual(resolveCredentials(1, { user: 'u', password: 'p' }, { INFLUX_TOKEN: 'x:y' }), { user: 'u', password: 'p' });
  assert.deepEqual(resolveCredentials(1, {}, { INFLUX_TOKEN: 'x:y:z' }), { user: 'x', password: 'y:z' });
  assert.deepEqual(resolveCredentials(1, {}, { INFLUX_TOKEN: 'tok' }), { token: 'tok' });
  assert.deepEqual(resolveCredentials(1, {}, {}), {});
});

test('write URLs carry database / org, bucket and an explicit ms precision', () => {
  const c1 = parseInfluxConfig(def({ version: '1', url: 'http://h:8086/', database: 'my db', retentionPolicy: 'raw' }));
  assert.equal(writeUrl(writeTarget(c1, {}, WRITER_DEFAULTS)), 'http://h:8086/write?db=my+db&rp=raw&precision=ms');
  const c2 = parseInfluxConfig(def({ version: '2', url: 'http://h:8086/prefix', org: 'o&x', bucket: 'b' }));
  assert.equal(writeUrl(writeTarget(c2, {}, WRITER_DEFAULTS)), 'http://h:8086/prefix/api/v2/write?org=o%26x&bucket=b&precision=ms');
  assert.equal(authHeader(writeTarget(c2, { token: 't' }, WRITER_DEFAULTS)), 'Token t');
  assert.equal(authHeader(writeTarget(c1, { user: 'u', password: 'p' }, WRITER_DEFAULTS)), `Basic ${Buffer.from('u:p').toString('base64')}`);
});

test('writer settings: defaults, conversion and clear errors', () => {
  assert.deepEqual(parseWriterConfig({ id: 'w', type: 'influxdb-writer' }), WRITER_DEFAULTS);
  const w = parseWriterConfig({ id: 'w', type: 'influxdb-writer', batchSize: '200', flushMs: '50', gzip: true, spoolMaxMB: 5 });
  assert.equal(w.batchSize, 200);
  assert.equal(w.flushMs, 50);
  assert.equal(w.gzip, true);
  assert.throws(() => parseWriterConfig({ id: 'w', type: 'influxdb-writer', batchSize: 0 }), /batchSize must be a number from 1 to 100000, got "0"/);
  assert.throws(() => parseWriterConfig({ id: 'w', type: 'influxdb-writer', spoolMaxMB: 'lots' }), /spoolMaxMB must be a number/);
  assert.equal(parseWriterConfig({ id: 'w', type: 'influxdb-writer', maxBatchBytes: '2000000' }).maxBatchBytes, 2_000_000);
  assert.throws(() => parseWriterConfig({ id: 'w', type: 'influxdb-writer', maxBatchBytes: 10 }), /maxBatchBytes must be a number from 1024/);
});

test('a user and password inside INFLUX_URL leave the URL and become Basic auth (fetch refuses URLs with credentials)', () => {
  const c1 = parseInfluxConfig(def({ version: '1', url: 'http://writer:p%40ss:w0rd@h:8086/', database: 'iot' }));
  assert.equal(c1.url, 'http://h:8086');
  assert.doesNotMatch(JSON.stringify(c1), /p%40ss|p@ss/, 'no copy of the config carries the password');
  assert.deepEqual(c1.urlCredentials, { user: 'writer', password: 'p@ss:w0rd' });
  const creds = resolveCredentials(1, {}, {}, c1.urlCredentials);
  assert.equal(authHeader(writeTarget(c1, creds, WRITER_DEFAULTS)), `Basic ${Buffer.from('writer:p@ss:w0rd').toString('base64')}`);
  assert.equal(writeUrl(writeTarget(c1, creds, WRITER_DEFAULTS)), 'http://h:8086/write?db=iot&precision=ms');
  // The node's own credentials and INFLUX_TOKEN come first; a 2.x server gets Basic only without a token.
  assert.deepEqual(resolveCredentials(1, { user: 'u', password: 'p' }, {}, c1.urlCredentials), { user: 'u', password: 'p' });
  assert.deepEqual(resolveCredentials(2, {}, { INFLUX_TOKEN: 't' }, c1.urlCredentials), { token: 't' });
  assert.deepEqual(resolveCredentials(2, {}, {}, c1.urlCredentials), { user: 'writer', password: 'p@ss:w0rd' });
  assert.throws(
    () => parseInfluxConfig(def({ url: 'influx//u:hidden-pw@h' })),
    (err: Error) => !/hidden-pw/.test(err.message),
  );
  assert.equal(parseInfluxConfig(def({ url: 'http://h:8086/prefix/' })).url, 'http://h:8086/prefix/');
});
