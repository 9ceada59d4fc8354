import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ValidationError } from '../../nodes/common/errors';
import type { Reading } from '../../nodes/common/types';
import { AlertEngine, Dirty } from '../../nodes/threshold-alert/engine';
import { validateRules } from '../../nodes/threshold-alert/rules';

/** An engine on a hand-driven clock. */
function setup(rules: unknown[], start = 1_700_000_000_000) {
  const clock = { t: start };
  const engine = new AlertEngine(validateRules(rules), { now: () => clock.t, historyLimit: 50 });
  const advance = (seconds: number) => {
    clock.t += seconds * 1000;
  };
  return { engine, clock, advance };
}

function reading(deviceId: string, metrics: Record<string, number>, sensorType = 'ruuvi', event?: Reading['event']): Reading {
  const r: Reading = { deviceId, sensorType, ts: 0, metrics, received: 0 };
  if (event) r.event = event;
  return r;
}

const events = (ts: Array<{ event: string }>) => ts.map((t) => t.event);

test('fires at once without pending time, resolves when back to normal', () => {
  const { engine } = setup([{ id: 'hot', metric: 'temperature', operator: '>', threshold: 25 }]);
  assert.deepEqual(engine.evaluate(reading('r1', { temperature: 20 })).verdicts, [{ ruleId: 'hot', state: 'ok' }]);
  const fired = engine.evaluate(reading('r1', { temperature: 26 }));
  assert.deepEqual(events(fired.transitions), ['fired']);
  const a = fired.transitions[0].alert;
  assert.equal(a.state, 'firing');
  assert.equal(a.value, 26);
  assert.equal(a.threshold, 25);
  assert.equal(a.title, 'hot on r1');
  assert.match(a.text, /temperature 26 on r1: > 25/);
  assert.deepEqual(events(engine.evaluate(reading('r1', { temperature: 27 })).transitions), [], 'one alert per rule and device');
  const res = engine.evaluate(reading('r1', { temperature: 24 }));
  assert.deepEqual(events(res.transitions), ['resolved']);
  assert.equal(res.transitions[0].alert.id, a.id);
  assert.equal(res.transitions[0].by, 'system');
  assert.deepEqual(res.verdicts, [{ ruleId: 'hot', state: 'resolved' }]);
});

test('hysteresis: stays firing between clear and threshold, per operator', () => {
  const cases: Array<{ rule: Record<string, unknown>; bad: number; between: number; good: number }> = [
    { rule: { operator: '>', threshold: 25, clear: 24 }, bad: 26, between: 24.5, good: 24 },
    { rule: { operator: '>=', threshold: 25, clear: 24 }, bad: 25, between: 24.5, good: 23.9 },
    { rule: { operator: '<', threshold: 20, clear: 25 }, bad: 19, between: 22, good: 25 },
    { rule: { operator: '<=', threshold: 20, clear: 25 }, bad: 20, between: 24, good: 25.1 },
    { rule: { operator: 'outside', threshold: [30, 70], clear: [32, 68] }, bad: 71, between: 69, good: 68 },
    { rule: { operator: 'between', threshold: [10, 20], clear: [8, 22] }, bad: 15, between: 21, good: 22.5 },
  ];
  for (const c of cases) {
    const { engine } = setup([{ id: 'r', metric: 'm', ...c.rule }]);
    const label = JSON.stringify(c.rule);
    assert.deepEqual(events(engine.evaluate(reading('d', { m: c.bad })).transitions), ['fired'], label);
    assert.deepEqual(events(engine.evaluate(reading('d', { m: c.between })).transitions), [], `${label}: ${c.between} keeps firing`);
    assert.equal(engine.counts().firing, 1, label);
    assert.deepEqual(events(engine.evaluate(reading('d', { m: c.good })).transitions), ['resolved'], `${label}: ${c.good} clears`);
  }
});

test('pending: fires only after the condition held for `for` seconds; a clear reading cancels it', () => {
  const { engine, advance } = setup([{ id: 'hot', metric: 't', operator: '>', threshold: 25, for: 60 }]);
  assert.deepEqual(engine.evaluate(reading('d', { t: 30 })).verdicts, [{ ruleId: 'hot', state: 'pending' }]);
  advance(30);
  assert.deepEqual(engine.tick(), []);
  assert.deepEqual(events(engine.evaluate(reading('d', { t: 20 })).transitions), [], 'cancel is silent');
  assert.equal(engine.list().active.length, 0);
  assert.deepEqual(
    engine.list().history.map((h) => h.event),
    ['pending', 'cancelled'],
  );
  engine.evaluate(reading('d', { t: 30 }));
  advance(59);
  assert.deepEqual(engine.tick(), []);
  advance(1);
  const fired = engine.tick();
  assert.deepEqual(events(fired), ['fired'], 'the timer fires it without a new reading');
  assert.equal(fired[0].alert.value, 30);
});

test('pending: a reading after the pending time fires it too', () => {
  const { engine, advance } = setup([{ id: 'hot', metric: 't', operator: '>', threshold: 25, for: 10 }]);
  engine.evaluate(reading('d', { t: 30 }));
  advance(11);
  assert.deepEqual(events(engine.evaluate(reading('d', { t: 31 })).transitions), ['fired']);
});

test('keep-firing: resolves only after the value stayed clear that long; a relapse keeps it', () => {
  const { engine, advance } = setup([{ id: 'hr', metric: 'heart_rate', operator: 'outside', threshold: [40, 140], keepFiring: 30 }]);
  engine.evaluate(reading('w', { heart_rate: 150 }, 'wearable'));
  advance(1);
  assert.deepEqual(events(engine.evaluate(reading('w', { heart_rate: 90 }, 'wearable')).transitions), []);
  advance(20);
  assert.deepEqual(engine.tick(), []);
  engine.evaluate(reading('w', { heart_rate: 145 }, 'wearable'));
  advance(5);
  engine.evaluate(reading('w', { heart_rate: 80 }, 'wearable'));
  advance(29);
  assert.deepEqual(engine.tick(), [], 'clear time restarted at the relapse');
  advance(1);
  assert.deepEqual(events(engine.tick()), ['resolved']);
});

test('repeat: re-announces a firing alert, not an acknowledged one', () => {
  const { engine, advance } = setup([{ id: 'b', metric: 'battery', operator: '<', threshold: 20, repeat: 60 }]);
  const [fired] = engine.evaluate(reading('d', { battery: 10 })).transitions;
  advance(59);
  assert.deepEqual(engine.tick(), []);
  advance(1);
  const rep = engine.tick();
  assert.deepEqual(events(rep), ['repeated']);
  assert.equal(rep[0].alert.id, fired.alert.id);
  assert.equal(rep[0].alert.state, 'firing');
  advance(60);
  assert.deepEqual(events(engine.tick()), ['repeated']);
  engine.act({ action: 'ack', alertId: fired.alert.id, by: 'ops' });
  advance(600);
  assert.deepEqual(engine.tick(), []);
});

test('scope: device wildcard and sensor type', () => {
  const { engine } = setup([
    { id: 'ruuvi-hot', metric: 't', operator: '>', threshold: 25, deviceId: 'ruuvi_*' },
    { id: 'dht-hot', metric: 't', operator: '>', threshold: 25, sensorType: 'dht22' },
  ]);
  assert.deepEqual(engine.evaluate(reading('ruuvi_01', { t: 30 }, 'ruuvi')).verdicts, [{ ruleId: 'ruuvi-hot', state: 'firing' }]);
  assert.deepEqual(engine.evaluate(reading('pi-1', { t: 30 }, 'dht22')).verdicts, [{ ruleId: 'dht-hot', state: 'firing' }]);
  assert.deepEqual(engine.evaluate(reading('pi-2', { t: 30 }, 'ruuvi')).verdicts, []);
  assert.deepEqual(
    engine
      .evaluate(reading('ruuvi_02', { t: 30 }, 'dht22'))
      .verdicts.map((v) => v.ruleId)
      .sort(),
    ['dht-hot', 'ruuvi-hot'],
  );
  assert.equal(engine.counts().firing, 4, 'one alert per rule and device');
});

test('staleness: device and metric silence, fired by the timer, resolved by a reading', () => {
  const { engine, advance } = setup([
    { id: 'silent', kind: 'staleness', after: 120 },
    { id: 'no-temp', kind: 'staleness', after: 60, metric: 'temperature', deviceId: 'ruuvi_*' },
  ]);
  engine.evaluate(reading('ruuvi_01', { temperature: 20, battery: 90 }));
  engine.evaluate(reading('pi-1', { cpu: 3 }, 'system'));
  advance(59);
  assert.deepEqual(engine.tick(), []);
  engine.evaluate(reading('ruuvi_01', { battery: 89 }));
  advance(1);
  const noTemp = engine.tick();
  assert.deepEqual(
    noTemp.map((t) => [t.event, t.alert.ruleId, t.alert.deviceId]),
    [['fired', 'no-temp', 'ruuvi_01']],
  );
  assert.equal(noTemp[0].alert.value, 60);
  advance(61);
  const silent = engine.tick();
  assert.deepEqual(
    silent.map((t) => [t.alert.ruleId, t.alert.deviceId]),
    [['silent', 'pi-1']],
    'ruuvi_01 sent a battery reading 61 s ago',
  );
  assert.match(silent[0].alert.text, /no reading from pi-1 for 121 s/);
  assert.deepEqual(engine.tick(), [], 'no re-fire while silent');
  const back = engine.evaluate(reading('pi-1', { cpu: 4 }, 'system'));
  assert.deepEqual(
    back.transitions.map((t) => [t.event, t.alert.ruleId]),
    [['resolved', 'silent']],
  );
  assert.equal(back.transitions[0].reason, 'reading received');
});

test('staleness ignores devices that only send events (a PIR publishes on detection)', () => {
  const { engine, advance } = setup([
    { id: 'silent', kind: 'staleness', after: 60 },
    { id: 'pir-silent', kind: 'staleness', after: 600, sensorType: 'motion' },
  ]);
  engine.evaluate(reading('raspberry-01', {}, 'motion', { id: 'e1', type: 'motion_detected' }));
  engine.evaluate(reading('ruuvi_01', { temperature: 20 }));
  advance(61);
  assert.deepEqual(
    engine.tick().map((t) => t.alert.deviceId),
    ['ruuvi_01'],
  );
  advance(540);
  assert.deepEqual(
    engine.tick().map((t) => [t.alert.ruleId, t.alert.deviceId]),
    [['pir-silent', 'raspberry-01']],
    'unless a rule names its sensor type',
  );
});

test('staleness resolved by hand retires the device until it reports again', () => {
  const { engine, advance } = setup([{ id: 'silent', kind: 'staleness', after: 60 }]);
  engine.evaluate(reading('old', { x: 1 }));
  advance(60);
  const [fired] = engine.tick();
  engine.act({ action: 'resolve', alertId: fired.alert.id, by: 'ops', reason: 'decommissioned' });
  advance(600);
  assert.deepEqual(engine.tick(), [], 'not re-fired for a retired device');
  engine.evaluate(reading('old', { x: 1 }));
  advance(60);
  assert.deepEqual(events(engine.tick()), ['fired'], 'watched again after it reported');
});

test('staleness after a restart counts from the restart, not from the last reading', () => {
  const a = setup([{ id: 'silent', kind: 'staleness', after: 120 }]);
  a.engine.evaluate(reading('d', { x: 1 }));
  const saved = JSON.parse(JSON.stringify(a.engine.snapshot()));
  const b = setup([{ id: 'silent', kind: 'staleness', after: 120 }], a.clock.t + 3_600_000);
  b.engine.restore(saved);
  assert.deepEqual(b.engine.tick(), [], 'an hour of downtime does not make every device stale at once');
  b.advance(120);
  const fired = b.engine.tick();
  assert.deepEqual(events(fired), ['fired']);
  assert.equal(fired[0].alert.value, 3720, 'the value is the real silence');
});

test('event rules: motion only while armed, one alert, keep-firing expiry', () => {
  const { engine, advance } = setup([{ id: 'motion', kind: 'event', eventType: 'motion_detected', whileArmed: true, keepFiring: 300, severity: 'critical' }]);
  const motion = () => reading('raspberry-01', {}, 'motion', { id: 'e', type: 'motion_detected', data: { location: 'entrance' } });
  assert.deepEqual(engine.evaluate(motion()), { transitions: [], verdicts: [] }, 'disarmed: ignored');
  assert.equal(engine.setArmed(true), true);
  assert.equal(engine.setArmed(true), false);
  const fired = engine.evaluate(motion()).transitions;
  assert.deepEqual(events(fired), ['fired']);
  assert.deepEqual([fired[0].alert.metric, fired[0].alert.severity, fired[0].alert.value], ['motion_detected', 'critical', null]);
  advance(200);
  assert.deepEqual(engine.evaluate(motion()).transitions, [], 'a second motion extends the alert');
  advance(299);
  assert.deepEqual(engine.tick(), []);
  advance(1);
  const res = engine.tick();
  assert.deepEqual(events(res), ['resolved']);
  assert.match(res[0].reason ?? '', /no motion_detected for 300 s/);
  assert.deepEqual(engine.evaluate(reading('raspberry-01', {}, 'button', { id: 'b', type: 'button_pressed' })).verdicts, []);
});

test('event rule with keepFiring 0 stays until resolved by hand', () => {
  const { engine, advance } = setup([{ id: 'btn', kind: 'event', eventType: 'button_*' }]);
  const [t] = engine.evaluate(reading('p', {}, 'button', { id: '1', type: 'button_pressed' })).transitions;
  advance(86_400);
  assert.deepEqual(engine.tick(), []);
  assert.deepEqual(events([engine.act({ action: 'resolve', alertId: t.alert.id, by: 'ops', reason: 'checked' })]), ['resolved']);
});

test('ack and resolve: who and why recorded, invalid requests refused', () => {
  const { engine, advance } = setup([
    { id: 'hot', metric: 't', operator: '>', threshold: 25 },
    { id: 'slow', metric: 't', operator: '>', threshold: 25, for: 60 },
  ]);
  const [fired] = engine.evaluate(reading('d', { t: 30 })).transitions;
  const pending = engine.list().active.find((a) => a.ruleId === 'slow')!;
  advance(5);
  const ack = engine.act({ action: 'ack', alertId: fired.alert.id, by: 'alice', reason: 'on my way' });
  assert.deepEqual([ack.event, ack.alert.state, ack.alert.acknowledgedBy, ack.by, ack.reason], ['acknowledged', 'acknowledged', 'alice', 'alice', 'on my way']);
  assert.equal(ack.alert.since, fired.alert.since + 5000);
  const refused = (req: Parameters<AlertEngine['act']>[0], re: RegExp) =>
    assert.throws(
      () => engine.act(req),
      (e: unknown) => e instanceof ValidationError && re.test(e.message),
    );
  refused({ action: 'ack', alertId: fired.alert.id, by: 'bob' }, /already acknowledged by alice/);
  refused({ action: 'ack', alertId: pending.id, by: 'bob' }, /is pending; only a firing alert can be acknowledged/);
  refused({ action: 'resolve', alertId: pending.id, by: 'bob' }, /pending \(not fired yet\)/);
  refused({ action: 'ack', alertId: 'nope', by: 'bob' }, /no active alert with id nope/);
  refused({ action: 'resolve', ruleId: 'hot', deviceId: 'other', by: 'bob' }, /no active alert for rule hot on device other/);
  const res = engine.act({ action: 'resolve', ruleId: 'hot', deviceId: 'd', by: 'alice', reason: 'fan replaced' });
  assert.deepEqual([res.event, res.alert.state, res.alert.resolvedBy, res.reason], ['resolved', 'resolved', 'alice', 'fan replaced']);
  refused({ action: 'resolve', alertId: fired.alert.id, by: 'bob' }, /already resolved/);
  assert.deepEqual(
    engine
      .list()
      .history.filter((h) => h.alertId === fired.alert.id)
      .map((h) => [h.event, h.by ?? null]),
    [
      ['pending', null],
      ['fired', null],
      ['acknowledged', 'alice'],
      ['resolved', 'alice'],
    ],
  );
  assert.deepEqual(events(engine.evaluate(reading('d', { t: 31 })).transitions), ['fired'], 'still hot after a manual resolve: a new alert');
});

test('acknowledged alerts still resolve by themselves when the value recovers', () => {
  const { engine } = setup([{ id: 'hot', metric: 't', operator: '>', threshold: 25 }]);
  const [f] = engine.evaluate(reading('d', { t: 30 })).transitions;
  engine.act({ action: 'ack', alertId: f.alert.id, by: 'ops' });
  const [r] = engine.evaluate(reading('d', { t: 20 })).transitions;
  assert.deepEqual([r.event, r.alert.id, r.by], ['resolved', f.alert.id, 'system']);
});

test('replacing rules resolves alerts of removed or disabled rules, keeps the rest', () => {
  const { engine } = setup([
    { id: 'a', metric: 't', operator: '>', threshold: 1 },
    { id: 'b', metric: 't', operator: '>', threshold: 1 },
    { id: 'c', metric: 't', operator: '>', threshold: 1 },
  ]);
  engine.evaluate(reading('d', { t: 5 }));
  const out = engine.setRules(
    validateRules([
      { id: 'a', metric: 't', operator: '>', threshold: 2 },
      { id: 'c', metric: 't', operator: '>', threshold: 1, enabled: false },
    ]),
  );
  assert.deepEqual(
    out.map((t) => [t.event, t.alert.ruleId, t.reason]),
    [
      ['resolved', 'b', 'rule removed'],
      ['resolved', 'c', 'rule disabled'],
    ],
  );
  assert.deepEqual(
    engine.list().active.map((a) => a.ruleId),
    ['a'],
  );
});

test('history is bounded and dirty flags tell what to save', () => {
  const { engine } = setup([{ id: 'x', metric: 't', operator: '>', threshold: 1 }]);
  engine.evaluate(reading('seed', { t: 0 }));
  assert.equal(engine.takeDirty(), Dirty.Soft, 'a quiet reading only updates last-seen');
  assert.equal(engine.takeDirty(), Dirty.None);
  for (let i = 0; i < 40; i++) {
    engine.evaluate(reading('d', { t: 5 }));
    engine.evaluate(reading('d', { t: 0 }));
  }
  assert.equal(engine.takeDirty(), Dirty.Urgent);
  const h = engine.list().history;
  assert.equal(h.length, 50);
  assert.equal(h[h.length - 1].event, 'resolved');
});

test('snapshot and restore: no re-fire, pending resumes from its stored start', () => {
  const rules = [
    { id: 'hot', metric: 't', operator: '>', threshold: 25, repeat: 600 },
    { id: 'slow', metric: 'h', operator: '>', threshold: 80, for: 60 },
  ];
  const a = setup(rules);
  a.engine.setArmed(true);
  const [fired] = a.engine.evaluate(reading('d', { t: 30, h: 90 })).transitions;
  a.advance(40);
  const saved = JSON.parse(JSON.stringify(a.engine.snapshot()));
  const b = setup(rules, a.clock.t + 5000);
  assert.deepEqual(b.engine.restore(saved), []);
  assert.equal(b.engine.armed, true);
  assert.deepEqual(
    b.engine
      .list()
      .active.map((x) => [x.ruleId, x.state])
      .sort(),
    [
      ['hot', 'firing'],
      ['slow', 'pending'],
    ],
  );
  assert.deepEqual(b.engine.evaluate(reading('d', { t: 31, h: 91 })).transitions, [], 'firing is not re-fired, pending not yet due');
  b.advance(15);
  const due = b.engine.tick();
  assert.deepEqual(
    due.map((t) => [t.event, t.alert.ruleId]),
    [['fired', 'slow']],
    'pending fired 60 s after its original start',
  );
  const ack = b.engine.act({ action: 'ack', alertId: fired.alert.id, by: 'ops' });
  assert.equal(ack.alert.id, fired.alert.id);
  assert.equal(b.engine.list().history.length, a.engine.list().history.length + 2);
});

test('evaluateInto without verdicts moves the alerts as evaluate does, adding the transitions to the array given', () => {
  const rules = [
    { id: 'hot', metric: 'temperature', operator: '>', threshold: 25 },
    { id: 'btn', kind: 'event', eventType: 'button_pressed' },
  ];
  const a = setup(rules).engine;
  const b = setup(rules).engine;
  const seq = [
    reading('r1', { temperature: 26 }),
    reading('r2', { temperature: 20 }),
    reading('r1', { temperature: 20 }),
    reading('p', {}, 'button', { id: 'e1', type: 'button_pressed' }),
  ];
  const withVerdicts = seq.flatMap((r) => a.evaluate(r).transitions);
  const out: Array<{ event: string; alert: { ruleId: string; deviceId: string } }> = [];
  for (const r of seq) b.evaluateInto(r, out as never);
  const key = (t: { event: string; alert: { ruleId: string; deviceId: string } }) => `${t.event} ${t.alert.ruleId} ${t.alert.deviceId}`;
  assert.deepEqual(out.map(key), withVerdicts.map(key));
  assert.deepEqual(out.map(key), ['fired hot r1', 'resolved hot r1', 'fired btn p']);
  const v: unknown[] = [];
  b.evaluateInto(reading('r3', { temperature: 30 }), [], v as never);
  assert.deepEqual(v, [{ ruleId: 'hot', state: 'firing' }], 'verdicts when asked for');
});
