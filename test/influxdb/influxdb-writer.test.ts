/**
 * influxdb-writer against a real InfluxDB 1.x (Debian influxd): outage,
 * runtime restart with a spool, and bad data. The outage lasts the 30 s
 * (INFLUX_OUTAGE_MS=5000 for a quicker run while working on the node).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { healthSnapshot } from '../../nodes/common/health';
import type { Reading } from '../../nodes/common/types';
import { helper, load } from '../support/red';
import { missing, Service, startInflux1, tempDir } from '../support/services';
import { countPoints, influxExec, startInflux1Small, until, writeRaw, writerFlow, writerModules } from './influx-support';

const skip = missing('influxd');
const OUTAGE_MS = Number(process.env.INFLUX_OUTAGE_MS || 30_000);
process.env.DATA_DIR = tempDir('writer-data');
let influx: Service;

before(async () => {
  if (!skip) influx = await startInflux1();
});
after(async () => {
  await influx?.stop();
});
afterEach(async () => {
  await helper.unload();
});

const reading = (i: number, sensorType: string, extra: Partial<Reading> = {}): Reading => ({
  deviceId: `dev-${i % 50}`,
  sensorType,
  ts: 1_700_000_000_000 + i,
  metrics: { value: i % 7 === 0 ? 20 : 20.5 + i },
  received: Date.now(),
  ...extra,
});

const writerHealth = () => healthSnapshot().writer;

test('readings are written once each, whole numbers as floats, escaping round-trips', { skip }, async () => {
  await load(writerModules(), writerFlow({ url: influx.url, database: 'basic' }));
  const writer = helper.getNode('writer');
  const tagged: Reading = {
    deviceId: 'salle 1,a=b',
    sensorType: 'env',
    ts: 1_700_000_000_999,
    metrics: { value: 3 },
    tags: { 'lo cation': 'étage=2, "nord"' },
    received: 0,
  };
  for (let i = 0; i < 1000; i++) writer.receive({ payload: reading(i, 'env') });
  writer.receive({ payload: tagged });
  await until('1001 points', async () => (await countPoints(influx.url, 'basic', 'env', 'value')) === 1001, 30_000);
  const res = await fetch(`${influx.url}/query?db=basic&q=${encodeURIComponent('SHOW FIELD KEYS FROM env')}`);
  assert.match(await res.text(), /"value","float"/);
  const tags = await fetch(`${influx.url}/query?db=basic&q=${encodeURIComponent('SHOW TAG VALUES FROM env WITH KEY = "lo cation"')}`);
  assert.match(await tags.text(), /étage=2, \\"nord\\"/);
  assert.equal(await countPoints(influx.url, 'basic', 'env', 'value'), 1001);
});

test(
  `InfluxDB stopped for ${OUTAGE_MS / 1000} s during a steady stream: every reading arrives exactly once`,
  { skip, timeout: OUTAGE_MS + 120_000 },
  async () => {
    await load(writerModules(), writerFlow({ url: influx.url, database: 'outage', batchSize: 200, flushMs: 100, timeoutMs: 2000 }));
    const writer = helper.getNode('writer');
    let sent = 0;
    let maxSpooled = 0;
    const stream = setInterval(() => {
      for (let k = 0; k < 4; k++) writer.receive({ payload: reading(sent++, 'stream') });
      maxSpooled = Math.max(maxSpooled, writerHealth()?.figures?.spooled ?? 0);
    }, 10);
    try {
      await until('first points written', async () => (await countPoints(influx.url, 'outage', 'stream', 'value')) > 0, 20_000);
      await influx.stop();
      const stoppedAt = Date.now();
      await until('writer reports the outage', () => writerHealth()?.ok === false, 20_000);
      assert.match(writerHealth()?.detail ?? '', /unavailable/);
      await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt))));
      assert.ok(
        fs.readdirSync(path.join(process.env.DATA_DIR as string, 'spool', 'writer')).some((f) => f.endsWith('.lp')),
        'spool segment on disk',
      );
      await influx.restart();
      await new Promise((r) => setTimeout(r, 2000));
    } finally {
      clearInterval(stream);
    }
    assert.ok(maxSpooled > 100, `spooled at most ${maxSpooled} points during the outage`);
    await until(`${sent} points`, async () => (await countPoints(influx.url, 'outage', 'stream', 'value')) >= sent, 90_000, 500);
    assert.equal(await countPoints(influx.url, 'outage', 'stream', 'value'), sent);
    await until('spool drained', () => writerHealth()?.figures?.spooled === 0, 20_000);
  },
);

test('Node-RED restarted while readings are spooled: they are written after the restart', { skip, timeout: 120_000 }, async () => {
  await influx.stop();
  const flow = writerFlow({ url: influx.url, database: 'restart', batchSize: 100, flushMs: 50, timeoutMs: 1000 });
  await load(writerModules(), flow);
  const writer = helper.getNode('writer');
  for (let i = 0; i < 750; i++) writer.receive({ payload: reading(i, 'restart') });
  await until('750 points spooled', () => writerHealth()?.figures?.spooled === 750, 20_000);
  await helper.unload();
  await influx.restart();
  await load(writerModules(), flow);
  await until('750 points after restart', async () => (await countPoints(influx.url, 'restart', 'restart', 'value')) === 750, 60_000);
  await until('spool drained', () => writerHealth()?.figures?.spooled === 0, 20_000);
});

test(
  'a string where a number was, a field type conflict and an invalid Reading each get a clear error; the rest is written',
  { skip, timeout: 60_000 },
  async () => {
    await influxExec(influx.url, 'CREATE DATABASE bad');
    await writeRaw(influx.url, 'bad', 'conflict,deviceId=seed level=5i 1699999999000');
    await load(writerModules(), writerFlow({ url: influx.url, database: 'bad', batchSize: 1000, flushMs: 300 }));
    const writer = helper.getNode('writer');
    const errors: any[] = [];
    helper.getNode('errors').on('input', (msg: any) => errors.push(msg.payload));
    for (let i = 0; i < 100; i++) writer.receive({ payload: reading(i, 'mixed') });
    writer.receive({ payload: 'mixed,deviceId=dev-x value="high" 1700000001000' });
    writer.receive({ payload: { deviceId: 'lvl-1', sensorType: 'conflict', ts: 1_700_000_000_000, metrics: { level: 7 }, received: 0 } });
    writer.receive({ payload: { deviceId: 'dev-y', sensorType: 'mixed', ts: 1_700_000_000_500, metrics: { value: 'hot' }, received: 0 } });
    await until('three errors', () => errors.length >= 3, 30_000);
    const byReason = (re: RegExp) => errors.find((e) => re.test(e.error));
    const str = byReason(/value.*type string.*already exists as type float|type float.*value/);
    assert.ok(str, `string error in ${JSON.stringify(errors)}`);
    assert.equal(str.reason, 'rejected');
    assert.equal(str.statusCode, 400);
    assert.deepEqual(str.lines, ['mixed,deviceId=dev-x value="high" 1700000001000']);
    const conflict = byReason(/field type conflict: input field "level" on measurement "conflict" is type float, already exists as type integer/);
    assert.ok(conflict, `conflict error in ${JSON.stringify(errors)}`);
    const invalid = errors.find((e) => e.reason === 'invalid');
    assert.equal(invalid.error, 'metric "value" of device "dev-y" is "hot", not a finite number');
    assert.equal(await countPoints(influx.url, 'bad', 'mixed', 'value'), 100);
    assert.equal(await countPoints(influx.url, 'bad', 'conflict', 'level'), 1);
  },
);

test('a batch too large for the server is split; a single line too large is rejected; the rest is written', { skip, timeout: 60_000 }, async () => {
  const small = await startInflux1Small(4000);
  try {
    await influxExec(small.url, 'CREATE DATABASE big');
    await load(writerModules(), writerFlow({ url: small.url, database: 'big', batchSize: 400, flushMs: 300 }));
    const writer = helper.getNode('writer');
    const errors: any[] = [];
    helper.getNode('errors').on('input', (msg: any) => errors.push(msg.payload));
    for (let i = 0; i < 400; i++) writer.receive({ payload: reading(i, 'big') });
    writer.receive({ payload: reading(401, 'big', { tags: { note: 'x'.repeat(5000) } }) });
    await until('400 points + 1 error', async () => errors.length === 1 && (await countPoints(small.url, 'big', 'big', 'value')) === 400, 30_000);
    assert.equal(errors[0].reason, 'rejected');
    assert.equal(errors[0].statusCode, 413);
    assert.match(errors[0].error, /line too large for the server \(HTTP 413\)/);
    assert.equal(errors[0].lines.length, 1);
  } finally {
    await helper.unload();
    await small.stop();
  }
});
