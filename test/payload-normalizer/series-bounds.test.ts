/**
 * Series bounds (issue 12): string fields become tags only when allow-listed,
 * distinct tag values per device and key and distinct sensor types are bounded,
 * and what a bound folds is counted (iot_bound_dropped_total, health figures).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { metrics } from '../../nodes/common/metrics';
import type { Reading } from '../../nodes/common/types';
import { DEFAULT_TAG_KEYS, DEFAULTS, parseConfig } from '../../nodes/payload-normalizer/config';
import { Normalizer } from '../../nodes/payload-normalizer/normalizer';
import { FOLDED, SeriesBounds } from '../../nodes/payload-normalizer/series-bounds';
import { NormalizerStats } from '../../nodes/payload-normalizer/stats';

const NOW = 1750000000000;
const make = (config: Record<string, unknown> = {}): Normalizer => new Normalizer(parseConfig(config));

/** The InfluxDB series a Reading lands in: measurement and sorted tags. */
const seriesKey = (r: Reading): string =>
  [
    r.sensorType,
    `deviceId=${r.deviceId}`,
    ...Object.entries(r.tags ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .sort(),
  ].join(',');

function feed(n: Normalizer, count: number, topic: (i: number) => string, payload: (i: number) => unknown): Reading[] {
  const out: Reading[] = [];
  for (let i = 0; i < count; i++) {
    const o = n.normalize(topic(i), payload(i), NOW + i);
    assert.equal(o.kind, 'reading', JSON.stringify(o));
    if (o.kind === 'reading') out.push(o.reading);
  }
  return out;
}

async function boundCounter(bound: string): Promise<number> {
  const { values } = await metrics.boundDropped.get();
  return values.filter((v) => v.labels.node === 'payload-normalizer' && v.labels.bound === bound).reduce((s, v) => s + v.value, 0);
}

describe('1,000 distinct `note` strings', () => {
  test('default config: note is not a tag, so one series; the allow-listed location stays a tag', () => {
    const n = make();
    const readings = feed(
      n,
      1000,
      () => 'sensors/dev1/climate',
      (i) => ({ temperature: 20 + (i % 5), note: `note ${i}`, location: 'kitchen' }),
    );
    assert.equal(new Set(readings.map(seriesKey)).size, 1);
    assert.deepEqual(readings[999].tags, { location: 'kitchen' });
    assert.deepEqual(n.bounds.dropped, { maxTagValues: 0, maxMeasurements: 0 });
  });

  test('note allow-listed: 20 values then "other", 21 series, 980 folds counted in metrics and health figures', async () => {
    const n = make({ tagKeys: 'note, location' });
    const stats = new NormalizerStats(n.bounds);
    const before = await boundCounter('maxTagValues');
    const readings = feed(
      n,
      1000,
      () => 'sensors/dev1/climate',
      (i) => ({ temperature: 21, note: `note ${i}` }),
    );
    for (const r of readings) stats.record({ kind: 'reading', reading: r, decoder: 'flat', family: 'sensors' });
    const keys = new Set(readings.map(seriesKey));
    assert.equal(keys.size, DEFAULTS.maxTagValues + 1);
    assert.deepEqual(readings[19].tags, { note: 'note 19' });
    assert.deepEqual(readings[20].tags, { note: FOLDED });
    assert.deepEqual(readings[999].metrics, { temperature: 21 }, 'the reading itself is kept');
    // A value seen before the bound keeps its own series.
    assert.deepEqual(
      feed(
        n,
        1,
        () => 'sensors/dev1/climate',
        () => ({ temperature: 1, note: 'note 3' }),
      )[0].tags,
      { note: 'note 3' },
    );
    assert.equal(n.bounds.dropped.maxTagValues, 980);
    stats.flush();
    assert.equal((await boundCounter('maxTagValues')) - before, 980);
    stats.flush();
    assert.equal((await boundCounter('maxTagValues')) - before, 980, 'a second flush adds nothing');
    assert.equal(stats.figures().dropped_maxTagValues, 980);
    assert.equal(stats.figures().dropped_maxMeasurements, 0);
    assert.match(stats.text(), /980 folded/);
  });
});

test('the tag value bound is per device and per tag key', () => {
  const n = make({ tagKeys: 'note, location', maxTagValues: 2 });
  const tags = (device: string, payload: Record<string, unknown>) =>
    feed(
      n,
      1,
      () => `sensors/${device}/climate`,
      () => ({ temperature: 1, ...payload }),
    )[0].tags;
  assert.deepEqual(tags('a', { note: 'x', location: 'l1' }), { note: 'x', location: 'l1' });
  assert.deepEqual(tags('a', { note: 'y', location: 'l2' }), { note: 'y', location: 'l2' });
  assert.deepEqual(tags('a', { note: 'z', location: 'l3' }), { note: FOLDED, location: FOLDED });
  assert.deepEqual(tags('b', { note: 'z', location: 'l3' }), { note: 'z', location: 'l3' }, 'another device has its own room');
  assert.deepEqual(tags('a', { note: 'x', location: 'l2' }), { note: 'x', location: 'l2' });
  assert.equal(n.bounds.dropped.maxTagValues, 2);
});

test('tags of an already normalized Reading are bounded the same way', () => {
  const n = make({ maxTagValues: 1 });
  const reading = (location: string, extra: string) =>
    JSON.stringify({ deviceId: 'd', sensorType: 'env', ts: NOW, metrics: { t: 1 }, tags: { location, extra } });
  const [a, b] = feed(
    n,
    2,
    () => 'x',
    (i) => reading(`room ${i}`, `e${i}`),
  );
  assert.deepEqual(a.tags, { location: 'room 0' });
  assert.deepEqual(b.tags, { location: FOLDED });
});

test('1,000 distinct last topic levels: 100 measurements, then sensor type "other" with the metric names kept', async () => {
  const n = make();
  const stats = new NormalizerStats(n.bounds);
  const before = await boundCounter('maxMeasurements');
  const readings = feed(
    n,
    1000,
    (i) => `plant/line-${i}`,
    () => JSON.stringify({ device_id: 'plc', value: 3 }),
  );
  assert.equal(new Set(readings.map((r) => r.sensorType)).size, DEFAULTS.maxMeasurements + 1);
  assert.equal(readings[99].sensorType, 'line-99');
  assert.equal(readings[100].sensorType, FOLDED);
  assert.deepEqual(readings[100].metrics, { line_100: 3 }, 'a lone value is still named after the original sensor type');
  assert.equal(
    feed(
      n,
      1,
      () => 'plant/line-7',
      () => '{"device_id":"plc","value":1}',
    )[0].sensorType,
    'line-7',
    'known types stay',
  );
  assert.equal(n.bounds.dropped.maxMeasurements, 900);
  stats.flush();
  assert.equal((await boundCounter('maxMeasurements')) - before, 900);
  assert.equal(stats.figures().dropped_maxMeasurements, 900);
});

test('the device/tag-key memory is bounded: the oldest pair is forgotten', () => {
  const b = new SeriesBounds({ tagKeys: null, maxTagValues: 1, maxMeasurements: 10 }, 2);
  assert.equal(b.tagValue('d1', 'k', 'a'), 'a');
  assert.equal(b.tagValue('d1', 'k', 'b'), FOLDED);
  b.tagValue('d2', 'k', 'a');
  b.tagValue('d3', 'k', 'a'); // forgets d1
  assert.equal(b.tagValue('d1', 'k', 'b'), 'b');
});

describe('config', () => {
  test('defaults: the seed tag fields, 20 values per device and tag, 100 sensor types', () => {
    const o = parseConfig({});
    assert.deepEqual([...(o.series.tagKeys ?? [])], ['location', 'room', 'zone', 'site', 'source', 'activity_hint', 'pressure', 'status', 'type']);
    assert.equal(o.series.maxTagValues, 20);
    assert.equal(o.series.maxMeasurements, 100);
    assert.equal(DEFAULTS.tagKeys, DEFAULT_TAG_KEYS);
  });
  test('tag fields are snake_cased; * means every string field', () => {
    assert.deepEqual([...(parseConfig({ tagKeys: 'activityHint,  Room zone' }).series.tagKeys ?? [])], ['activity_hint', 'room', 'zone']);
    assert.equal(parseConfig({ tagKeys: '*' }).series.tagKeys, null);
    assert.equal(parseConfig({ tagKeys: '' }).series.tagKeys?.size, 0);
  });
  test('bad bounds are refused naming the field', () => {
    for (const [key, v] of [
      ['maxTagValues', 0],
      ['maxTagValues', 'many'],
      ['maxMeasurements', -1],
      ['maxMeasurements', 2e6],
    ] as const) {
      assert.throws(
        () => parseConfig({ [key]: v }),
        (err: Error & { field?: string }) => err.message.startsWith(`${key} must be a number`),
      );
    }
  });
  test('a version 1 config loads as it was plus the new defaults', () => {
    const v1 = { configVersion: 1, decoder: 'flat', dedupeWindow: 30, timezone: 'Europe/Paris', rateLimit: 5 };
    const data = (v: unknown) => JSON.parse(JSON.stringify(v, (_k, x) => (x instanceof Set ? [...x] : x)));
    const today = { ...v1, configVersion: 2, tagKeys: DEFAULT_TAG_KEYS, maxTagValues: 20, maxMeasurements: 100 };
    assert.deepEqual(data(parseConfig(v1)), data(parseConfig(today)));
    assert.equal(parseConfig(v1).dedupeWindowMs, 30_000);
  });
});
