/**
 * Line protocol escaping against a real InfluxDB 1.x: Readings whose
 * measurement, device id, tag keys, tag values and field keys hold every
 * special character go through the influxdb-writer node, and each point is
 * read back with its exact names and values. The two documented changes
 * (newline runs -> one space, a backslash InfluxDB would read as an escape ->
 * U+FF3C) are the only differences allowed.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import type { Reading } from '../../nodes/common/types';
import { helper, load } from '../support/red';
import { missing, Service, startInflux1, tempDir } from '../support/services';
import { influxExec, until, writerFlow, writerModules } from './influx-support';

const skip = missing('influxd');
process.env.DATA_DIR = tempDir('escaping-data');
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

/** Every character line protocol treats specially, alone, leading, inside and trailing. */
const SPECIALS = [
  'plain',
  'sp ace',
  ' lead space',
  'trail space ',
  'com,ma',
  ',lead',
  'trail,',
  'equ=als',
  '=lead',
  'trail=',
  'dq"uote',
  '"quoted"',
  'back\\slash',
  '\\lead',
  'trail\\',
  'two trailing\\\\',
  'C:\\Program Files\\',
  '\\',
  'bs before comma\\,x',
  'bs before space\\ x',
  'bs before equals\\=x',
  'bs before quote\\"x',
  '#hash',
  'mid#hash',
  'new\nline',
  'cr\r\nlf',
  'trail newline\n',
  'unicodé ☃ 日本 🚀',
  'all \\,= "\\\n\\',
];

/** What InfluxDB must hold for a string we wrote (see line-protocol.ts). */
const stored = (s: string): string => s.replace(/[\r\n]+/g, ' ').replace(/\\$/, '\uFF3C');
/** The same for a measurement or field key, where a backslash before `,`, space, `=` or `"` cannot be read back either. */
const storedName = (s: string): string => s.replace(/[\r\n]+/g, ' ').replace(/\\(?=[,= "]|$)/g, '\uFF3C');
/** A measurement: as a name, and a leading `#` (a comment line to InfluxDB) as U+FF03. */
const storedMeasurement = (s: string): string => storedName(s).replace(/^#/, '\uFF03');

interface Row {
  measurement: string;
  columns: Record<string, unknown>;
}

async function readAll(url: string, db: string): Promise<Row[]> {
  const res = await fetch(`${url}/query?db=${db}&epoch=ms&q=${encodeURIComponent('SELECT * FROM /.*/')}`);
  const body = (await res.json()) as { results: Array<{ series?: Array<{ name: string; columns: string[]; values: unknown[][] }> }> };
  const rows: Row[] = [];
  for (const s of body.results[0].series ?? []) {
    for (const v of s.values) {
      const columns: Record<string, unknown> = {};
      s.columns.forEach((c, i) => {
        if (v[i] !== null) columns[c] = v[i];
      });
      rows.push({ measurement: s.name, columns });
    }
  }
  return rows;
}

test('every special character in measurement, device id, tag keys, tag values and field keys reads back exactly', { skip, timeout: 60_000 }, async () => {
  const db = 'escaping';
  await influxExec(influx.url, `CREATE DATABASE ${db}`);
  await load(writerModules(), writerFlow({ url: influx.url, database: db, batchSize: 10, flushMs: 50 }));
  const errors: unknown[] = [];
  helper.getNode('errors').on('input', (msg: { payload: unknown }) => errors.push(msg.payload));
  const writer = helper.getNode('writer');
  const ts0 = 1_700_000_000_000;
  SPECIALS.forEach((s, i) => {
    const reading: Reading = {
      deviceId: s,
      sensorType: s,
      ts: ts0 + i,
      metrics: { [`f${s}`]: i, n: i },
      tags: { [`k${s}`]: s, [`${s}k`]: `v${s}` },
      received: Date.now(),
    };
    writer.receive({ payload: reading });
  });

  let rows: Row[] = [];
  const done = async () => errors.length > 0 || (rows = await readAll(influx.url, db)).length >= SPECIALS.length;
  await until(`${SPECIALS.length} points`, done, 30_000).catch(() => undefined);
  assert.deepEqual(errors, [], 'no reading went to the error output');
  assert.equal(rows.length, SPECIALS.length, `one point per reading, no extra series: ${JSON.stringify(rows.map((r) => r.measurement))}`);

  SPECIALS.forEach((s, i) => {
    const row = rows.find((r) => r.columns.time === ts0 + i);
    assert.ok(row, `point ${i} (${JSON.stringify(s)}) read back`);
    const expected: Row = {
      measurement: storedMeasurement(s),
      columns: {
        time: ts0 + i,
        deviceId: stored(s),
        [stored(`k${s}`)]: stored(s),
        [stored(`${s}k`)]: stored(`v${s}`),
        [storedName(`f${s}`)]: i,
        n: i,
      },
    };
    assert.deepEqual(row, expected, `point ${i}: ${JSON.stringify(s)}`);
  });
});
