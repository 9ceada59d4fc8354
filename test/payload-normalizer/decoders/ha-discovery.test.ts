/** Home Assistant discovery as a decoder: announcements learned per normalizer, bounded; the ha-discovery corpus (corpus/ha-discovery.json). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseConfig } from '../../../nodes/payload-normalizer/config';
import { Normalizer } from '../../../nodes/payload-normalizer/normalizer';
import { NormalizerStats } from '../../../nodes/payload-normalizer/stats';
import { check, loadCorpus, run } from '../corpus';

const NOW = 1750000000000;
const norm = (c: Record<string, unknown> = {}) => new Normalizer(parseConfig({ dedupeWindow: 0, ...c }));
const announce = (obj: string, body: Record<string, unknown>) => [`homeassistant/sensor/${obj}/config`, JSON.stringify(body)] as const;

test('a learned state topic decodes; an unusable announcement is ignored with its reason; empty removes', () => {
  const n = norm();
  const [t, body] = announce('meter', { stat_t: 'acme/meter-1/json', val_tpl: '{{ value_json.e.power }}', unit_of_meas: 'W', dev: { name: 'meter-1' } });
  const learned = n.normalize(t, body, NOW);
  assert.deepEqual(learned, { kind: 'ignored', reason: 'home assistant discovery: learned acme/meter-1/json', family: 'ha-discovery' });
  const r = n.normalize('acme/meter-1/json', '{"e":{"power":"12.5"}}', NOW);
  assert.ok(r.kind === 'reading', JSON.stringify(r));
  if (r.kind === 'reading')
    assert.deepEqual(
      [r.reading.deviceId, r.reading.metrics, r.reading.units, r.decoder, r.family],
      ['meter-1', { e_power: 12.5 }, { e_power: 'W' }, 'ha-discovery', 'ha-discovery'],
    );
  const bad = n.normalize(...announce('x', { stat_t: 'a/b', val_tpl: '{{ value_json.a | multiply(3) }}' }), NOW);
  assert.ok(bad.kind === 'ignored' && /not a simple/.test(bad.reason));
  assert.equal(n.normalize(t, '', NOW).kind, 'ignored');
  // forgotten: the generic layout reads it as an unknown object again (no device)
  assert.equal(n.normalize('acme/meter-1/json', '{"e":{"power":1}}', NOW).kind, 'reject');
  assert.equal(n.normalize(t, '{not json', NOW).kind, 'reject');
});

test('bounded: past discoveryMax an announcement is counted, not learned; 0 turns discovery off', async () => {
  const n = norm({ discoveryMax: 2 });
  for (let i = 0; i < 3; i++) n.normalize(...announce(`s${i}`, { stat_t: `devs/s${i}`, dev: { name: `s${i}` } }), NOW);
  assert.equal(n.discovery?.size, 2);
  assert.equal(n.discovery?.dropped, 1);
  assert.equal(n.normalize('devs/s1', '5', NOW).kind, 'reading');
  assert.equal(n.normalize('devs/s2', '5', NOW).kind, 'reject'); // not learned: no device

  const stats = new NormalizerStats(n.bounds, n.discovery);
  assert.equal(stats.figures().dropped_discoveryMax, 1);
  assert.equal(stats.figures().discovery_learned, 2);
  // re-announcing a known entity does not count against the bound
  n.normalize(...announce('s0', { stat_t: 'dev/s0/v2', dev: { name: 's0' } }), NOW);
  assert.equal(n.discovery?.dropped, 1);
  const off = norm({ discoveryMax: 0 });
  assert.equal(off.discovery, undefined);
  assert.throws(() => parseConfig({ discoveryMax: -1 }), /discoveryMax must be a number from 0/);
});

test('availability topics use the announced payloads; firmware decoders keep their own topics', () => {
  const n = norm();
  n.normalize(...announce('p', { stat_t: 'x/p/state', avty: [{ t: 'x/p/alive', pl_avail: 'yes', pl_not_avail: 'no' }], dev: { name: 'p' } }), NOW);
  const off = n.normalize('x/p/alive', 'no', NOW);
  assert.ok(off.kind === 'reading' && off.reading.sensorType === 'availability' && off.reading.metrics.online === 0 && off.reading.deviceId === 'p');
  const odd = n.normalize('x/p/alive', 'maybe', NOW);
  assert.equal(odd.kind === 'reject' && odd.code, 'unsupported_shape');
  n.normalize(...announce('t', { stat_t: 'tele/plug/SENSOR', val_tpl: '{{ value_json.ENERGY.Power }}', dev: { name: 'Plug' } }), NOW);
  const t = n.normalize('tele/plug/SENSOR', '{"ENERGY":{"Power":5}}', NOW);
  assert.ok(t.kind === 'reading' && t.decoder === 'tasmota' && t.reading.deviceId === 'plug');
});

const c = loadCorpus('ha-discovery');
describe(`corpus ${c.ecosystem}`, () => {
  for (const m of c.messages) {
    test(m.name, () => assert.equal(check(m, run(m)), ''));
  }
});
