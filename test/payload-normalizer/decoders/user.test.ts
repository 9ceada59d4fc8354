/** Declarative decoders from the normalizer's dialog (decoders/user.ts): compiled once, tried before the firmware decoders. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../nodes/payload-normalizer/config';
import { atPath } from '../../../nodes/payload-normalizer/decoders/user';
import { Normalizer, type Outcome } from '../../../nodes/payload-normalizer/normalizer';

const NOW = 1750000000000;
const norm = (decoders: unknown, config: Record<string, unknown> = {}) =>
  new Normalizer(parseConfig({ dedupeWindow: 0, decoders: typeof decoders === 'string' ? decoders : JSON.stringify(decoders), ...config }));

function reading(o: Outcome) {
  assert.equal(o.kind, 'reading', JSON.stringify(o));
  if (o.kind !== 'reading') throw new Error('not a reading');
  return { ...o.reading, decoder: o.decoder, family: o.family };
}

test('topic placeholders: {device} and {metric} with a bare value and the entry unit', () => {
  const n = norm([{ name: 'acme', topic: 'acme/{device}/{metric}', units: { temperature: '°F' } }]);
  const r = reading(n.normalize('acme/hall-1/temperature', '68', NOW));
  assert.deepEqual([r.deviceId, r.sensorType, r.decoder, r.family], ['hall-1', 'acme', 'acme', 'acme']);
  assert.deepEqual(r.metrics, { temperature: 20 }); // °F converted like any unit
  assert.deepEqual(r.units, { temperature: '°C' });
  assert.deepEqual(reading(n.normalize('acme/hall-1/door', 'OPEN', NOW)).metrics, { door: 1 });
  // not the entry's layout: falls through to the rest (no template, no firmware decoder)
  assert.equal(n.normalize('acme/hall-1', '5', NOW).kind, 'reject');
});

test('device, metrics and time from payload paths; + and # match; sensorType set', () => {
  const n = norm([
    {
      name: 'hub',
      topic: 'hub/+/up/#',
      device: 'dev.id',
      time: 'ts',
      sensorType: 'soil',
      metrics: { moisture: 'data.m', battery: 'bat', first: 'values.0' },
      units: { battery: 'V' },
    },
  ]);
  const payload = { dev: { id: 'probe-7' }, ts: 1749999990, data: { m: '41.5' }, bat: 3.1, values: [7, 8], other: 99 };
  const r = reading(n.normalize('hub/site-a/up/x/y', JSON.stringify(payload), NOW));
  assert.deepEqual([r.deviceId, r.sensorType, r.ts], ['probe-7', 'soil', 1749999990000]);
  assert.deepEqual(r.metrics, { moisture: 41.5, battery: 3.1, first: 7 });
  assert.deepEqual(r.units, { battery: 'V' });
  // a missing field is skipped; none at all is no_metrics; no device is a clear reject
  assert.deepEqual(reading(n.normalize('hub/s/up', '{"dev":{"id":"p"},"bat":3}', NOW)).metrics, { battery: 3 });
  const none = n.normalize('hub/s/up', '{"dev":{"id":"p"}}', NOW);
  assert.equal(none.kind === 'reject' && none.code, 'no_metrics');
  const noDev = n.normalize('hub/s/up', '{"bat":3}', NOW);
  assert.ok(noDev.kind === 'reject' && noDev.code === 'no_device_id' && /hub.*dev\.id/.test(noDev.message), JSON.stringify(noDev));
});

test('without metrics: an object payload is walked like the flat decoder; "$" reads the bare payload', () => {
  const walked = reading(norm([{ name: 'obj', topic: 'obj/{device}' }]).normalize('obj/d1', '{"temperature":21.5,"room":"hall","on":"ON"}', NOW));
  assert.deepEqual(walked.metrics, { temperature: 21.5, on: 1 });
  const bare = reading(norm([{ name: 'b', topic: 'b/{device}/level', metrics: { level: '$' }, units: { level: '%' } }]).normalize('b/t1/level', '73', NOW));
  assert.deepEqual([bare.metrics, bare.units], [{ level: 73 }, { level: '%' }]);
});

test('kind availability: online / offline payloads become the availability Reading', () => {
  const n = norm([{ name: 'acme-lwt', topic: 'acme/{device}/will', kind: 'availability' }]);
  const r = reading(n.normalize('acme/hall-1/will', 'Offline', NOW));
  assert.deepEqual([r.deviceId, r.sensorType, r.metrics, r.tags], ['hall-1', 'availability', { online: 0 }, { status: 'offline' }]);
});

test('dialog decoders run before the built-in firmware decoders, after the topic templates; and can be pinned', () => {
  const n = norm([{ name: 'mytele', topic: 'tele/{device}/SENSOR', metrics: { t: 'AM2301.Temperature' }, sensorType: 'climate' }]);
  const r = reading(n.normalize('tele/plug/SENSOR', '{"AM2301":{"Temperature":20},"Time":"2025-01-01T00:00:00"}', NOW));
  assert.deepEqual([r.decoder, r.sensorType, r.metrics], ['mytele', 'climate', { t: 20 }]);
  // the built-in layouts still work for other topics
  assert.equal(reading(n.normalize('zigbee2mqtt/lamp', '{"state":"ON"}', NOW)).decoder, 'zigbee2mqtt');
  // a seed template wins over a dialog decoder
  const seed = norm([{ name: 'mine', topic: 'sensors/{device}/{metric}' }]);
  assert.equal(reading(seed.normalize('sensors/d1/temperature', '20', NOW)).family, 'sensors');
  const pinned = norm([{ name: 'acme', topic: 'acme/{device}/{metric}' }], { decoder: 'acme' });
  assert.equal(reading(pinned.normalize('acme/a/x', '1', NOW)).decoder, 'acme');
  assert.equal(pinned.normalize('zigbee2mqtt/lamp', '{"state":"ON"}', NOW).kind, 'reject');
});

test('the topic is the authority: a payload id beside a {device} topic must agree', () => {
  const n = norm([{ name: 'acme', topic: 'acme/{device}/state' }]);
  const out = n.normalize('acme/attacker/state', '{"device_id":"victim-1","temperature":1}', NOW);
  assert.equal(out.kind === 'reject' && out.code, 'device_id_mismatch');
});

test('a bad entry fails the whole config with one error naming the entry and the field', () => {
  const bad: Array<[unknown, RegExp]> = [
    ['[{', /decoders is not valid JSON/],
    ['{"name":"a"}', /decoders must be a JSON array/],
    [[{ name: 'Acme!', topic: 'a/{device}' }], /decoders\[0\]\.name must be a short lower-case name/],
    [
      [
        { name: 'ok', topic: 'a/{device}' },
        { name: 'ok', topic: 'b/{device}' },
      ],
      /decoders\[1\] "ok": the name is already used/,
    ],
    [[{ name: 'tasmota', topic: 'a/{device}' }], /decoders\[0\] "tasmota": the name is already used/],
    [[{ name: 'a', topic: '' }], /decoders\[0\] "a": topic is required/],
    [[{ name: 'a', topic: 'a/#/b/{device}' }], /decoders\[0\] "a": topic "a\/#\/b\/\{device\}" has # before its last level/],
    [[{ name: 'a', topic: 'a/x+/{device}' }], /topic level "x\+" mixes text/],
    [[{ name: 'a', topic: 'a/{metric}' }], /decoders\[0\] "a": give the device id/],
    [[{ name: 'a', topic: 'a/{device}', device: 'id' }], /not both/],
    [[{ name: 'a', topic: 'a/{device}', metrics: { t: 'x..y' } }], /decoders\[0\] "a"\.metrics\.t "x\.\.y" is not a dot path/],
    [[{ name: 'a', topic: 'a/{device}', metrics: { t: 5 } }], /decoders\[0\] "a"\.metrics\.t must be a non-empty text/],
    [[{ name: 'a', topic: 'a/{device}', metrics: {} }], /metrics is empty/],
    [[{ name: 'a', topic: 'a/{device}', time: '__proto__.x' }], /"a"\.time "__proto__\.x" is not a dot path/],
    [[{ name: 'a', topic: 'a/{device}', kind: 'lwt' }], /"a"\.kind must be data or availability/],
    [[{ name: 'a', topic: 'a/{device}', metric: { t: 'x' } }], /"a": unknown field "metric"/],
    [[{ name: 'a', topic: 'a/{device}', sensorType: 'a b' }], /"a"\.sensorType must be a name/],
  ];
  for (const [decoders, re] of bad) {
    assert.throws(
      () => parseConfig({ decoders: typeof decoders === 'string' ? decoders : JSON.stringify(decoders) }),
      (e: Error & { field?: string }) => re.test(e.message) && e.field === 'decoders',
      `${JSON.stringify(decoders)} should fail with ${re}`,
    );
  }
  assert.deepEqual(parseConfig({ decoders: '' }).userDecoders, []);
  assert.deepEqual(parseConfig({}).userDecoders, []);
});

test('atPath reads own properties only', () => {
  assert.equal(atPath({ a: { b: 2 } }, ['a', 'b']), 2);
  assert.equal(atPath({ a: {} }, ['a', 'toString']), undefined);
  assert.equal(atPath([5, 6], ['1']), 6);
  assert.equal(atPath(3, []), 3);
});
