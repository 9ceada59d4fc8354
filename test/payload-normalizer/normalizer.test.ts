/** Unit tests of the pure normalizer: garbage, duplicates, rate limits, limits and ids. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseConfig } from '../../nodes/payload-normalizer/config';
import { eventMetric, Normalizer, type Outcome } from '../../nodes/payload-normalizer/normalizer';

const NOW = 1750000000000;
const make = (config: Record<string, unknown> = {}): Normalizer => new Normalizer(parseConfig(config));
const motion = (id: string, device = 'raspberry-1'): string =>
  JSON.stringify({
    event_id: id,
    device_id: device,
    source: 'PIR',
    type: 'MOTION_DETECTED',
    data: { gpio_pin: 17, state: 'HIGH' },
    timestamp: '2025-01-15T14:30:45.123456',
  });
const code = (o: Outcome): string => (o.kind === 'reject' ? o.code : o.kind);

describe('garbage never throws and is rejected with a reason', () => {
  const n = make();
  class Thing {
    temperature = 20;
  }
  const deep: Record<string, unknown> = {};
  let cur = deep;
  for (let i = 0; i < 5000; i++) cur = (cur.n = {}) as Record<string, unknown>;
  const cases: Array<[string, unknown, string]> = [
    ['undefined', undefined, 'empty_payload'],
    ['null', null, 'empty_payload'],
    ['empty Buffer', Buffer.alloc(0), 'empty_payload'],
    ['binary Buffer', Buffer.from([0xff, 0xfe, 0x00, 0x13, 0x37]), 'invalid_json'],
    ['invalid JSON', '{"a":', 'invalid_json'],
    ['array', [1, 2, 3], 'unsupported_shape'],
    ['JSON array text', '[{"temperature":1}]', 'unsupported_shape'],
    ['function', () => 1, 'unsupported_type'],
    ['symbol', Symbol('x'), 'unsupported_type'],
    ['class instance', new Thing(), 'unsupported_type'],
    ['Date', new Date(), 'unsupported_type'],
    ['NaN number', NaN, 'not_finite'],
    ['Infinity number', Infinity, 'not_finite'],
    ['NaN in an object', { temperature: NaN }, 'not_finite'],
    ['-Infinity in an object', { temperature: -Infinity }, 'not_finite'],
    ['huge string (10 MB)', `{"a":"${'x'.repeat(10 * 1024 * 1024)}"}`, 'too_large'],
    ['huge Buffer (10 MB)', Buffer.alloc(10 * 1024 * 1024, 0x20), 'too_large'],
    ['5000-deep object', deep, 'too_deep'],
    ['20000-deep JSON text', `${'{"a":'.repeat(20000)}1${'}'.repeat(20000)}`, 'too_large'],
  ];
  for (const [name, payload, want] of cases) {
    test(name, () => assert.equal(code(n.normalize('sensors/d/climate', payload, NOW)), want));
  }
  test('deep JSON under the size limit is still rejected as too deep', () => {
    const text = `${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}`;
    assert.equal(code(n.normalize('sensors/d/climate', text, NOW)), 'too_deep');
  });
  test('a Uint8Array is read like a Buffer', () => {
    const bytes = new TextEncoder().encode('{"temperature": 20}');
    const out = n.normalize('sensors/d/climate', bytes, NOW);
    assert.equal(out.kind, 'reading');
    if (out.kind === 'reading') assert.deepEqual(out.reading.metrics, { temperature: 20 });
  });
  test('a missing or non-string topic is not a crash', () => {
    assert.equal(code(n.normalize(undefined, '{"temperature":20}', NOW)), 'no_device_id');
    const out = n.normalize(42, '{"device_id":"d","temperature":20}', NOW);
    assert.equal(out.kind, 'reading');
    if (out.kind === 'reading') assert.equal(out.reading.sensorType, 'unknown');
  });
  test('a throwing getter ends as an internal reject', () => {
    const evil = {
      get temperature(): number {
        throw new Error('boom');
      },
    };
    const out = n.normalize('sensors/d/climate', evil, NOW);
    assert.equal(code(out), 'internal');
    if (out.kind === 'reject') assert.match(out.message, /boom/);
  });
  test('prototype pollution attempts leave Object.prototype alone', () => {
    const text = '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"temperature":20}';
    const out = n.normalize('sensors/d/climate', text, NOW);
    assert.equal(out.kind, 'reading');
    const ev = n.normalize('sensor/motion', '{"device_id":"r","type":"X","event_id":"p1","data":{"__proto__":{"polluted":"yes"},"ok":1}}', NOW);
    assert.equal(ev.kind, 'reading');
    if (ev.kind === 'reading') {
      assert.deepEqual(ev.reading.event?.data, { ok: 1 });
      assert.equal(Object.getPrototypeOf(ev.reading.event?.data), Object.prototype);
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
  test('long tag values are cut to 256 characters', () => {
    const out = n.normalize('sensors/d/climate', { temperature: 1, location: 'x'.repeat(1000) }, NOW);
    assert.equal(out.kind, 'reading');
    if (out.kind === 'reading') assert.equal(out.reading.tags?.location.length, 256);
  });
});

describe('duplicate events', () => {
  test('the same event id within the window is dropped, later it passes again', () => {
    const n = make({ dedupeWindow: 60 });
    assert.equal(code(n.normalize('sensor/motion', motion('evt-1'), NOW)), 'reading');
    assert.equal(code(n.normalize('sensor/motion', motion('evt-1'), NOW + 1000)), 'duplicate');
    assert.equal(code(n.normalize('sensor/motion', motion('evt-2'), NOW + 1000)), 'reading');
    assert.equal(code(n.normalize('sensor/motion', motion('evt-1', 'raspberry-2'), NOW + 1000)), 'reading', 'same id, other device');
    assert.equal(code(n.normalize('sensor/motion', motion('evt-1'), NOW + 61000)), 'reading');
  });
  test('generated ids are unique, so id-less events are never duplicates', () => {
    const n = make();
    const ids = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const out = n.normalize('sensors/raspberry-01/motion', '{"confidence":0.9}', NOW);
      assert.equal(out.kind, 'reading');
      if (out.kind === 'reading') ids.add(out.reading.event!.id);
    }
    assert.equal(ids.size, 100);
  });
  test('a rejected event is not remembered, so its corrected resend passes', () => {
    const n = make();
    const bad = JSON.stringify({ event_id: 'evt-9', device_id: 'r', type: 'MOTION_DETECTED', data: {}, confidence: 5 });
    assert.equal(code(n.normalize('sensor/motion', bad, NOW)), 'out_of_range');
    assert.equal(code(n.normalize('sensor/motion', motion('evt-9', 'r'), NOW)), 'reading');
    assert.equal(code(n.normalize('sensor/motion', motion('evt-9', 'r'), NOW)), 'duplicate');
  });
  test('window 0 turns de-duplication off', () => {
    const n = make({ dedupeWindow: 0 });
    assert.equal(code(n.normalize('sensor/motion', motion('evt-1'), NOW)), 'reading');
    assert.equal(code(n.normalize('sensor/motion', motion('evt-1'), NOW)), 'reading');
  });
  test('memory stays bounded', () => {
    const n = make({ dedupeMax: 100 });
    for (let i = 0; i < 1000; i++) n.normalize('sensor/motion', motion(`evt-${i}`), NOW + i);
    assert.ok(n.dedupe.size <= 101, `size ${n.dedupe.size}`);
  });
});

describe('rate limit', () => {
  test('off by default', () => {
    const n = make();
    for (let i = 0; i < 100; i++) assert.equal(code(n.normalize('sensors/d/climate', '{"temperature":20}', NOW)), 'reading');
  });
  test('10 msg/s per device: the 11th in the same instant is dropped, other devices pass, tokens refill', () => {
    const n = make({ rateLimit: 10 });
    for (let i = 0; i < 10; i++) assert.equal(code(n.normalize('sensors/a/climate', '{"temperature":20}', NOW)), 'reading');
    assert.equal(code(n.normalize('sensors/a/climate', '{"temperature":20}', NOW)), 'rate-limited');
    assert.equal(code(n.normalize('sensors/b/climate', '{"temperature":20}', NOW)), 'reading');
    assert.equal(code(n.normalize('sensors/a/climate', '{"temperature":20}', NOW + 100)), 'reading');
    assert.equal(code(n.normalize('sensors/a/climate', '{"temperature":20}', NOW + 100)), 'rate-limited');
  });
  test('applies to a device id from the payload too', () => {
    const n = make({ rateLimit: 1 });
    assert.equal(code(n.normalize('sensor/motion', motion('e1'), NOW)), 'reading');
    assert.equal(code(n.normalize('sensor/motion', motion('e2'), NOW)), 'rate-limited');
  });
});

describe('event metric names', () => {
  test('known and derived names', () => {
    assert.equal(eventMetric('motion_detected'), 'motion');
    assert.equal(eventMetric('button_pressed'), 'button');
    assert.equal(eventMetric('door_triggered'), 'door');
    assert.equal(eventMetric('door_opened'), 'door_opened');
  });
});

test('the same normalizer gives independent readings (no shared scratch leaks)', () => {
  const n = make();
  const a = n.normalize('sensors/a/climate', '{"temperature":20,"location":"a"}', NOW);
  const b = n.normalize('sensors/b/climate', '{"humidity":50}', NOW);
  assert.ok(a.kind === 'reading' && b.kind === 'reading');
  if (a.kind === 'reading' && b.kind === 'reading') {
    assert.deepEqual(a.reading.metrics, { temperature: 20 });
    assert.deepEqual(a.reading.tags, { location: 'a' });
    assert.deepEqual(b.reading.metrics, { humidity: 50 });
    assert.equal(b.reading.tags, undefined);
  }
});
