/** Firmware decoder registry and routing: what the corpus does not show message by message. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../nodes/payload-normalizer/config';
import { defaultSubscriptions, registerTopicDecoder, TOPIC_DECODERS } from '../../nodes/payload-normalizer/decoders/index';
import { bareValue } from '../../nodes/payload-normalizer/decoders/common';
import { Normalizer } from '../../nodes/payload-normalizer/normalizer';
import { parsePayload } from '../../nodes/payload-normalizer/payload';

const NOW = 1750000000000;
const norm = (config: Record<string, unknown> = {}) => new Normalizer(parseConfig({ dedupeWindow: 0, ...config }));

test('plain text is read, not rejected as invalid JSON; unread text keeps its reject code', () => {
  assert.deepEqual(parsePayload('ON', 100), { ok: true, value: 'ON', textCode: 'invalid_json' });
  assert.deepEqual(parsePayload('"on"', 100), { ok: true, value: 'on', textCode: 'unsupported_shape' });
  const n = norm();
  const on = n.normalize('sensors/door-1/contact', 'closed', NOW);
  assert.equal(on.kind, 'reading');
  if (on.kind === 'reading') assert.deepEqual(on.reading.metrics, { contact: 0 });
  const text = n.normalize('sensors/door-1/contact', 'hello', NOW);
  assert.equal(text.kind === 'reject' && text.code, 'invalid_json');
});

test('a command topic is ignored before its payload is parsed (a 1 MB bridge message is not too_large)', () => {
  const big = Buffer.from(JSON.stringify({ devices: 'x'.repeat(1024 * 1024) }));
  const out = norm().normalize('zigbee2mqtt/bridge/devices', big, NOW);
  assert.equal(out.kind, 'ignored');
  assert.equal(out.family, 'zigbee2mqtt');
});

test('the rate limit applies to the device a firmware topic names', () => {
  const n = norm({ rateLimit: 1 });
  const first = n.normalize('tele/plug-1/SENSOR', '{"ENERGY":{"Power":5}}', NOW);
  const second = n.normalize('tele/plug-1/SENSOR', '{"ENERGY":{"Power":6}}', NOW);
  assert.equal(first.kind, 'reading');
  assert.deepEqual(second, { kind: 'rate-limited', deviceId: 'plug-1', family: 'tasmota' });
});

test('pinning a firmware decoder keeps only that one; pinning a payload decoder keeps the topic device', () => {
  const tasmotaOnly = norm({ decoder: 'tasmota' });
  assert.equal(tasmotaOnly.normalize('zigbee2mqtt/lamp', '{"state":"ON"}', NOW).kind, 'reject');
  assert.equal(tasmotaOnly.normalize('stat/plug/POWER', 'ON', NOW).kind, 'reading');
  const flat = norm({ decoder: 'flat' }).normalize('zigbee2mqtt/lamp', '{"brightness":10}', NOW);
  assert.equal(flat.kind, 'reading');
  if (flat.kind === 'reading') assert.deepEqual([flat.reading.deviceId, flat.reading.sensorType, flat.decoder], ['lamp', 'zigbee', 'flat']);
  assert.throws(() => parseConfig({ decoder: 'acme' }), /decoder must be auto or one of/);
});

test('a user decoder registered at start-up runs before generic and can be pinned', () => {
  const before = TOPIC_DECODERS.length;
  registerTopicDecoder({
    name: 'acme-test',
    topics: ['acme/+/+'],
    route: (levels) => (levels[0] === 'acme' && levels.length === 3 ? { deviceId: levels[1], sensorType: 'acme', kind: 'value', metric: levels[2] } : null),
    decode: (value, r, d) => bareValue(d, r.metric!, value),
  });
  try {
    assert.equal(TOPIC_DECODERS[TOPIC_DECODERS.length - 2].name, 'acme-test');
    assert.equal(TOPIC_DECODERS[TOPIC_DECODERS.length - 1].name, 'generic');
    assert.ok(defaultSubscriptions().includes('acme/+/+'));
    const out = norm({ decoder: 'acme-test' }).normalize('acme/pump-1/flow', '12.5', NOW);
    assert.equal(out.kind, 'reading');
    if (out.kind === 'reading') assert.deepEqual([out.reading.deviceId, out.reading.metrics, out.decoder], ['pump-1', { flow: 12.5 }, 'acme-test']);
  } finally {
    TOPIC_DECODERS.splice(
      TOPIC_DECODERS.findIndex((x) => x.name === 'acme-test'),
      1,
    );
  }
  assert.equal(TOPIC_DECODERS.length, before);
});

test('every shipped default subscription is a valid filter and none aims at commands', () => {
  for (const f of defaultSubscriptions()) {
    assert.match(f, /^[^#]*(#)?$/);
    assert.doesNotMatch(f, /(^|\/)(cmnd|set|command|commands|down|cmd)(\/|$)/, f);
    assert.ok(!/(^|\/)rpc$/.test(f) || f.endsWith('/events/rpc'), `${f}: only the events channel of RPC`);
  }
});

test('generic Last Will layouts: availability words only where they cannot be data', async () => {
  const { willOnline } = await import('../../nodes/payload-normalizer/decoders/generic');
  const n = norm();
  const kind = (topic: string, payload: string) => {
    const o = n.normalize(topic, payload, NOW);
    return o.kind === 'reading' ? `${o.reading.sensorType}:${JSON.stringify(o.reading.metrics)}` : o.kind;
  };
  assert.equal(kind('a/dev/status', 'Offline'), 'availability:{"online":0}');
  assert.equal(kind('a/dev/LWT', 'online'), 'availability:{"online":1}');
  assert.equal(kind('a/dev/lwt', '0'), 'availability:{"online":0}');
  assert.equal(kind('a/dev/connected', 'disconnected'), 'availability:{"online":0}');
  assert.equal(kind('a/dev/connected', 'true'), 'availability:{"online":1}');
  assert.equal(kind('a/dev/state', '{"online":false}'), 'availability:{"online":0}');
  assert.equal(kind('a/dev/status', '{"state":"offline"}'), 'availability:{"online":0}');
  // data stays data: 1 / 0, ON / OFF and objects with more than an availability
  assert.equal(kind('a/dev/state', '0'), 'state:{"state":0}');
  assert.equal(kind('a/dev/status', 'true'), 'status:{"status":1}');
  assert.equal(kind('a/dev/status', 'OFF'), 'status:{"status":0}');
  assert.equal(kind('a/dev/status', '{"status":"online","rssi":-60}').startsWith('availability'), false);
  assert.equal(willOnline('temperature', 'offline'), false);
  assert.equal(willOnline('state', { state: 'ON' }), false);
  // the ecosystems' own status topics keep their decoders
  const esp = n.normalize('livingroom/status', 'offline', NOW);
  assert.equal(esp.kind === 'reading' && esp.decoder, 'esphome');
});

test('MQTT 5 user properties: device_id names the device where the topic does not; the topic wins; availability makes a will', () => {
  const n = norm();
  const named = n.normalize('fleet/lwt', 'connection lost', NOW, { device_id: 'pump-9', availability: 'offline' });
  assert.ok(named.kind === 'reading', JSON.stringify(named));
  if (named.kind === 'reading')
    assert.deepEqual([named.reading.deviceId, named.reading.sensorType, named.reading.metrics], ['pump-9', 'availability', { online: 0 }]);
  // a template's sensorType does not hide the availability
  const tpl = n.normalize('sensors/dev-1/status', '', NOW, { availability: 'Online' });
  assert.ok(tpl.kind === 'reading' && tpl.reading.deviceId === 'dev-1' && tpl.reading.sensorType === 'availability' && tpl.reading.metrics.online === 1);
  // data with a device property: used when neither topic nor payload names one
  const data = n.normalize('plant', '{"moisture":41}', NOW, { device: ['probe-3'] });
  assert.ok(data.kind === 'reading' && data.reading.deviceId === 'probe-3', JSON.stringify(data));
  // the topic's device wins: a different property is device_id_mismatch; so is a payload id against the property
  const spoof = n.normalize('sensors/attacker/temperature', '21', NOW, { device_id: 'victim-1' });
  assert.equal(spoof.kind === 'reject' && spoof.code, 'device_id_mismatch');
  const payloadSpoof = n.normalize('plant', '{"device_id":"victim-1","moisture":41}', NOW, { device_id: 'probe-3' });
  assert.equal(payloadSpoof.kind === 'reject' && payloadSpoof.code, 'device_id_mismatch');
  const bad = n.normalize('fleet/lwt', 'x', NOW, { device_id: 'p', availability: 'maybe' });
  assert.equal(bad.kind === 'reject' && bad.code, 'unsupported_shape');
});
