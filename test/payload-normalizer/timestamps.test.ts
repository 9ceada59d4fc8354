/** TimestampParser: ISO forms, zones around DST, epoch magnitudes and device uptime. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EPOCH_MS_MIN, TimestampParser } from '../../nodes/payload-normalizer/timestamps';

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
