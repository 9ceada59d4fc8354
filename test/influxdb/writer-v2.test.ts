/**
 * influxdb-writer on the v2 write API (/api/v2/write, token auth, gzip)
 * against VictoriaMetrics, and with no database configured at all.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import type { Reading } from '../../nodes/common/types';
import { helper, load } from '../support/red';
import { missing, Service, startVictoriaMetrics, tempDir } from '../support/services';
import { until, writerFlow, writerModules } from './influx-support';

const skip = missing('victoria-metrics');
process.env.DATA_DIR = tempDir('writer-v2-data');
let vm: Service;

before(async () => {
  if (!skip) vm = await startVictoriaMetrics();
});
after(async () => {
  await vm?.stop();
});
afterEach(async () => {
  await helper.unload();
});

const reading = (i: number): Reading => ({
  deviceId: `dev-${i % 10}`,
  sensorType: 'vmtest',
  ts: Date.now() - 60_000 + i,
  metrics: { temperature: 20 + (i % 5), humidity: 50 },
  received: 0,
});

/** Number of samples VictoriaMetrics holds for a metric name. */
async function vmCount(url: string, name: string): Promise<number> {
  await fetch(`${url}/internal/force_flush`).catch(() => undefined);
  const res = await fetch(`${url}/api/v1/export?match[]=${encodeURIComponent(`{__name__="${name}"}`)}`);
  const text = await res.text();
  let n = 0;
  for (const line of text.split('\n')) if (line.trim()) n += (JSON.parse(line).values as unknown[]).length;
  return n;
}

test('v2 write path (token, gzip) stores every reading in VictoriaMetrics', { skip, timeout: 60_000 }, async () => {
  await load(writerModules(), writerFlow({ version: '2', url: vm.url, org: 'iot', bucket: 'iot', batchSize: 250, flushMs: 100, gzip: true }), {
    'influxdb-default': { token: 'secret-token' },
  });
  const writer = helper.getNode('writer');
  const written: number[] = [];
  helper.getNode('written').on('input', (msg: any) => written.push(msg.payload.written));
  for (let i = 0; i < 1000; i++) writer.receive({ payload: reading(i) });
  await until('1000 temperature samples', async () => (await vmCount(vm.url, 'vmtest_temperature')) === 1000, 30_000, 500);
  assert.equal(await vmCount(vm.url, 'vmtest_humidity'), 1000);
  assert.equal(
    written.reduce((a, b) => a + b, 0),
    1000,
  );
  assert.ok(written.length >= 4, `one request per batch of <= 250: ${written.join(',')}`);
});

test('no database configured: yellow "no database configured: spooling" status and readings kept on disk', { timeout: 30_000 }, async () => {
  await load(writerModules(), writerFlow({ url: '${INFLUX_URL}' }));
  const writer = helper.getNode('writer');
  const statuses: Array<{ fill?: string; shape?: string; text?: string }> = [];
  const original = writer.status.bind(writer);
  writer.status = (s: any) => {
    statuses.push(s);
    original(s);
  };
  for (let i = 0; i < 42; i++) writer.receive({ payload: reading(i) });
  await until('status shows 42 spooled', () => statuses.some((s) => s.text === 'no database configured: spooling 42'), 10_000, 100);
  const last = statuses[statuses.length - 1];
  assert.equal(last.fill, 'yellow');
  assert.equal(last.shape, 'ring');
  const dir = path.join(process.env.DATA_DIR as string, 'spool', 'writer');
  const onDisk = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.lp'))
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
    .join('');
  assert.equal(onDisk.split('\n').filter((l) => l.startsWith('vmtest,')).length, 42);
});
