/**
 * Staleness and availability (nodes/threshold-alert/last-seen.ts, engine.ts): an
 * availability Reading (sensorType `availability`, metric online 1/0, as the
 * normalizer makes of Z2M availability, Tasmota LWT, ESPHome / Shelly status)
 * fires a staleness rule at once (or after its `for`) and resolves it when the
 * device is online again; a device with an availability topic is not judged
 * by silence under a device-wide rule; one without is, as before.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Reading } from '../../nodes/common/types';
import { AlertEngine } from '../../nodes/threshold-alert/engine';
import { validateRules } from '../../nodes/threshold-alert/rules';

function setup(rules: unknown[]) {
  const clock = { t: 1_700_000_000_000 };
  const engine = new AlertEngine(validateRules(rules), { now: () => clock.t });
  return {
    engine,
    advance: (s: number) => {
      clock.t += s * 1000;
    },
  };
}
const data = (deviceId: string, metrics: Record<string, number> = { temperature: 21 }, sensorType = 'zigbee'): Reading => ({
  deviceId,
  sensorType,
  ts: 0,
  metrics,
  received: 0,
});
const avail = (deviceId: string, online: boolean): Reading => ({
  deviceId,
  sensorType: 'availability',
  ts: 0,
  metrics: { online: online ? 1 : 0 },
  tags: { status: online ? 'online' : 'offline' },
  received: 0,
});
const events = (ts: Array<{ event: string }>) => ts.map((t) => t.event);
const SILENT = { id: 'device-silent', kind: 'staleness', after: 120 };

test('an offline announcement fires the device-silent rule at once; online resolves it', () => {
  const { engine, advance } = setup([SILENT]);
  engine.evaluate(data('lamp'));
  advance(5);
  const off = engine.evaluate(avail('lamp', false));
  assert.deepEqual(events(off.transitions), ['fired']);
  const a = off.transitions[0].alert;
  assert.deepEqual([a.ruleId, a.deviceId, a.metric, a.value, a.state], ['device-silent', 'lamp', 'online', 0, 'firing']);
  assert.match(a.text, /lamp reported offline/);
  assert.deepEqual(events(engine.evaluate(avail('lamp', false)).transitions), [], 'a repeated (retained) offline opens nothing more');
  assert.deepEqual(events(engine.tick()), [], 'the tick does not fire it twice');
  const on = engine.evaluate(avail('lamp', true));
  assert.deepEqual(events(on.transitions), ['resolved']);
  assert.equal(on.transitions[0].reason, 'device online');
});

test('data from a device announced offline resolves its alert too', () => {
  const { engine } = setup([{ ...SILENT, metric: 'temperature' }]);
  engine.evaluate(data('lamp', { temperature: 20 }));
  assert.deepEqual(events(engine.evaluate(avail('lamp', false)).transitions), ['fired']);
  const back = engine.evaluate(data('lamp', { linkquality: 80 }));
  assert.deepEqual(events(back.transitions), ['resolved'], 'any sign of life ends an offline alert, whatever metric the rule watches');
});

test('`for`: the offline must last that long; it fires on a tick, not if the device came back', () => {
  const { engine, advance } = setup([{ ...SILENT, for: 30 }]);
  engine.evaluate(data('plug'));
  assert.deepEqual(events(engine.evaluate(avail('plug', false)).transitions), []);
  advance(29);
  assert.deepEqual(events(engine.tick()), []);
  advance(1);
  assert.deepEqual(events(engine.tick()), ['fired']);
  engine.evaluate(avail('plug', true));
  // Back online before `for`: nothing.
  engine.evaluate(avail('plug', false));
  advance(10);
  engine.evaluate(avail('plug', true));
  advance(60);
  assert.deepEqual(events(engine.tick()), []);
  assert.deepEqual(engine.list().active, []);
});

test('a device with an availability topic is online while it says so, however long it is silent', () => {
  const { engine, advance } = setup([SILENT]);
  engine.evaluate(avail('tasmota-1', true));
  engine.evaluate(data('tasmota-1'));
  engine.evaluate(data('quiet-sensor'));
  advance(300); // Tasmota's default TelePeriod is longer than the rule's 120 s
  const fired = engine.tick();
  assert.deepEqual(
    fired.map((t) => t.alert.deviceId),
    ['quiet-sensor'],
    'silence counts only for the device without availability',
  );
  assert.equal(fired[0].alert.metric, 'last_seen');
});

test('a rule for a sensor type the device never had is not about it; a staleness rule can be validated with `for`', () => {
  const { engine } = setup([{ id: 'ruuvi-silent', kind: 'staleness', after: 60, sensorType: 'ruuvi' }]);
  engine.evaluate(data('lamp'));
  assert.deepEqual(events(engine.evaluate(avail('lamp', false)).transitions), []);
  assert.throws(() => validateRules([{ ...SILENT, for: -1 }]), /rules\[0\]\.for/);
});

test('an offline announcement survives a restart (snapshot) and still resolves on online', () => {
  const { engine } = setup([SILENT]);
  engine.evaluate(data('lamp'));
  engine.evaluate(avail('lamp', false));
  const saved = JSON.parse(JSON.stringify(engine.snapshot()));
  const { engine: again } = setup([SILENT]);
  again.restore(saved);
  assert.equal(again.list().active.length, 1);
  assert.deepEqual(events(again.evaluate(avail('lamp', true)).transitions), ['resolved']);
});
