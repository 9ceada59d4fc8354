/** Unit tests of the building blocks: timestamps, units, names, payload parsing, guards, config. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BUILTIN_TEMPLATES, CONFIG_VERSION, parseConfig, parseTemplateLine, upgrade } from '../../nodes/payload-normalizer/config';
import { nonFiniteString, numericString, snakeName } from '../../nodes/payload-normalizer/draft';
import { DuplicateFilter } from '../../nodes/payload-normalizer/guards';
import { TokenBucket } from '../../nodes/payload-normalizer/token-bucket';
import { parsePayload } from '../../nodes/payload-normalizer/payload';
import { EPOCH_MS_MIN, TimestampParser } from '../../nodes/payload-normalizer/timestamps';
import { canonicalUnit, convert } from '../../nodes/payload-normalizer/units';

const NOW = 1750000000000;

describe('timestamps', () => {
  const utc = new TimestampParser('UTC');
  test('ISO forms', () => {
    assert.equal(utc.fromIso('2025-01-15T14:30:45.123456'), Date.UTC(2025, 0, 15, 14, 30, 45, 123));
    assert.equal(utc.fromIso('2025-01-15T14:30:45Z'), Date.UTC(2025, 0, 15, 14, 30, 45));
    assert.equal(utc.fromIso('2025-01-15 14:30:45'), Date.UTC(2025, 0, 15, 14, 30, 45));
    assert.equal(utc.fromIso('2025-01-15T14:30:45-0530'), Date.UTC(2025, 0, 15, 20, 0, 45));
    assert.equal(utc.fromIso('2025-01-15T14:30:45+01'), Date.UTC(2025, 0, 15, 13, 30, 45));
    assert.equal(utc.fromIso('2025-01-15'), Date.UTC(2025, 0, 15));
    assert.equal(utc.fromIso('Wed, 15 Jan 2025 14:30:45 GMT'), Date.UTC(2025, 0, 15, 14, 30, 45));
    assert.equal(utc.fromIso('15/01/2025'), null);
    assert.equal(utc.fromIso('2025-02-30T25:00:00'), null);
  });
  test('zones without offset in the string, both sides of DST', () => {
    const paris = new TimestampParser('Europe/Paris');
    assert.equal(paris.fromIso('2025-01-15T15:30:45'), Date.UTC(2025, 0, 15, 14, 30, 45));
    assert.equal(paris.fromIso('2025-07-15T15:30:45'), Date.UTC(2025, 6, 15, 13, 30, 45));
    assert.equal(paris.fromIso('2025-07-15T15:30:45Z'), Date.UTC(2025, 6, 15, 15, 30, 45), 'an explicit zone wins');
    const tokyo = new TimestampParser('Asia/Tokyo');
    assert.equal(tokyo.fromIso('2025-01-01T09:00:00'), Date.UTC(2025, 0, 1, 0, 0, 0));
  });
  test('epoch magnitudes and uptime', () => {
    assert.deepEqual(utc.parse(1737123456, NOW), { ts: 1737123456000 });
    assert.deepEqual(utc.parse(1737123456789, NOW), { ts: 1737123456789 });
    assert.deepEqual(utc.parse(1737123456789123, NOW), { ts: 1737123456789 });
    assert.deepEqual(utc.parse(1737123456789123584, NOW), { ts: 1737123456789 });
    assert.deepEqual(utc.parse('1737123456', NOW), { ts: 1737123456000 });
    assert.deepEqual(utc.parse(123456, NOW), { ts: NOW, uptimeMs: 123456 });
    assert.deepEqual(utc.parse(4e9, NOW, EPOCH_MS_MIN), { ts: NOW, uptimeMs: 4e9 }, 'millis() device past 46 days');
    assert.equal(utc.parse(-1, NOW), null);
    assert.equal(utc.parse(1e21, NOW), null);
    assert.equal(utc.parse({}, NOW), null);
    assert.equal(utc.parse('x'.repeat(100), NOW), null);
  });
  test('an unknown zone is refused', () => {
    assert.throws(() => new TimestampParser('Mars/Olympus'), RangeError);
  });
});

describe('units', () => {
  test('spellings', () => {
    assert.equal(canonicalUnit('F'), '°F');
    assert.equal(canonicalUnit(' celsius '), '°C');
    assert.equal(canonicalUnit('mbar'), 'hPa');
    assert.equal(canonicalUnit('lux'), 'lux');
  });
  test('conversions on and off', () => {
    const on = { toCelsius: true, toHectopascal: true };
    const off = { toCelsius: false, toHectopascal: false };
    assert.deepEqual(convert(32, '°F', '°C', on), [0, '°C']);
    assert.deepEqual(convert(273.15, 'K', '°C', on), [0, '°C']);
    assert.deepEqual(convert(101325, 'Pa', 'hPa', on), [1013.25, 'hPa']);
    assert.deepEqual(convert(101.3, 'kPa', 'hPa', on), [1013, 'hPa']);
    assert.deepEqual(convert(101325, undefined, 'hPa', on), [1013.25, 'hPa']);
    assert.deepEqual(convert(1013, undefined, 'hPa', on), [1013, 'hPa']);
    assert.deepEqual(convert(32, '°F', '°C', off), [32, '°F']);
    assert.deepEqual(convert(101325, undefined, 'hPa', off), [101325, 'hPa']);
  });
});

describe('names and numbers', () => {
  test('snake_case names', () => {
    assert.equal(snakeName('temperature'), 'temperature');
    assert.equal(snakeName('heartRate'), 'heart_rate');
    assert.equal(snakeName('TempUnit'), 'temp_unit');
    assert.equal(snakeName('SpO2'), 'spo2');
    assert.equal(snakeName('BME280'), 'bme280');
    assert.equal(snakeName('Temperature Outside'), 'temperature_outside');
    assert.equal(snakeName('__proto__'), '');
    assert.equal(snakeName('Constructor'), '');
    assert.equal(snakeName('!!!'), '');
  });
  test('numeric strings', () => {
    assert.equal(numericString('21.5'), 21.5);
    assert.equal(numericString(' -3e2 '), -300);
    assert.equal(numericString('.5'), 0.5);
    assert.equal(numericString(''), undefined);
    assert.equal(numericString(' '), undefined);
    assert.equal(numericString('0x10'), undefined);
    assert.equal(numericString('1,5'), undefined);
    assert.equal(numericString('high'), undefined);
    assert.equal(nonFiniteString('NaN'), true);
    assert.equal(nonFiniteString('-Infinity'), true);
    assert.equal(nonFiniteString('info'), false);
  });
});

describe('payload parsing', () => {
  test('kinds of payload', () => {
    assert.deepEqual(parsePayload('{"a":1}', 100), { ok: true, value: { a: 1 } });
    assert.deepEqual(parsePayload(Buffer.from(' 42 '), 100), { ok: true, value: 42 });
    assert.deepEqual(parsePayload('"21.5"', 100), { ok: true, value: 21.5 });
    assert.deepEqual(parsePayload('FALSE', 100), { ok: true, value: false });
    assert.deepEqual(parsePayload(Object.create(null), 100), { ok: true, value: Object.create(null) });
    const big = parsePayload('x'.repeat(101), 100);
    assert.equal(big.ok, false);
    if (!big.ok) assert.equal(big.code, 'too_large');
  });
});

describe('guards', () => {
  test('duplicate filter window and bound', () => {
    const f = new DuplicateFilter(1000, 3);
    assert.equal(f.isDuplicate('a', 0), false);
    assert.equal(f.isDuplicate('a', 999), true);
    assert.equal(f.isDuplicate('a', 1000), false);
    for (const k of ['b', 'c', 'd', 'e']) f.isDuplicate(k, 1001);
    assert.ok(f.size <= 3);
  });
  test('rate limiter refills and bounds its devices', () => {
    const r = new TokenBucket(2, undefined, 5);
    assert.equal(r.allow('a', 0), true);
    assert.equal(r.allow('a', 0), true);
    assert.equal(r.allow('a', 0), false);
    assert.equal(r.allow('a', 500), true);
    for (let i = 0; i < 20; i++) r.allow(`d${i}`, 0);
    assert.ok(r.size <= 5);
    assert.equal(new TokenBucket(0).allow('x', 0), true);
  });
});

describe('config', () => {
  test('defaults compile the built-in templates', () => {
    const o = parseConfig({});
    assert.equal(o.templates.length, BUILTIN_TEMPLATES.length);
    assert.equal(o.decoder, 'auto');
    assert.equal(o.dedupeWindowMs, 60000);
    assert.equal(o.catchRejects, true);
    assert.deepEqual(o.ranges.get('humidity'), [0, 100]);
  });
  test('editor strings are converted', () => {
    const o = parseConfig({
      dedupeWindow: '30',
      rateLimit: '10',
      catchRejects: 'false',
      builtinTemplates: false,
      templates: 'a/{deviceId}\n\n b/{deviceId}/{sensorType} ',
    });
    assert.equal(o.dedupeWindowMs, 30000);
    assert.equal(o.rateLimit, 10);
    assert.equal(o.catchRejects, false);
    assert.deepEqual(
      o.templates.map((t) => t.source),
      ['a/{deviceId}', 'b/{deviceId}/{sensorType}'],
    );
  });
  test('bad values name the field', () => {
    assert.throws(() => parseConfig({ decoder: 'xml' }), /decoder/);
    assert.throws(() => parseConfig({ timezone: 'Mars/Olympus' }), /timezone/);
    assert.throws(() => parseConfig({ ranges: '{"humidity": [100, 0]}' }), /ranges: "humidity"/);
    assert.throws(() => parseConfig({ ranges: '{nope' }), /ranges is not valid JSON/);
    assert.throws(() => parseConfig({ eventTypes: '{"X": "Not Snake"}' }), /eventTypes/);
    assert.throws(() => parseConfig({ dedupeWindow: '-1' }), /dedupeWindow/);
    assert.throws(() => parseConfig({ templates: 'a/#/b' }), /templates/);
    assert.throws(() => parseConfig({ templates: 'a/{deviceId} colour=red' }), /templates/);
    assert.throws(() => parseConfig({ outOfRange: 'ignore' }), /outOfRange/);
  });
  test('template lines: defaults, prefix and family', () => {
    const t = parseTemplateLine('sensors/esp32/{deviceId}/data sensorType=esp32');
    assert.deepEqual(t.defaults, { sensorType: 'esp32' });
    assert.equal(t.prefix, 'sensors/esp32');
    assert.equal(t.family, 'sensors');
    assert.equal(parseTemplateLine('+/{deviceId}').family, 'other');
    assert.deepEqual(t.topic.match('sensors/esp32/E1/data'), Object.assign(Object.create(null), { deviceId: 'E1' }));
  });
  test('an old config without configVersion is upgraded with defaults', () => {
    const up = upgrade({ decoder: 'flat' });
    assert.equal(up.configVersion, CONFIG_VERSION);
    assert.equal(up.decoder, 'flat');
    assert.equal(up.dedupeWindow, 60);
  });
});
