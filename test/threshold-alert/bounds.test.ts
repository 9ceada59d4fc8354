/**
 * What grows with input is bounded and what a bound drops is counted: devices
 * tracked, alerts held, history. A fleet going silent at once fires once per
 * device, restores without re-firing, and saves never pile up.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import type { Reading } from '../../nodes/common/types';
import { AlertEngine, Bound, EngineOptions } from '../../nodes/threshold-alert/engine';
import { validateRules } from '../../nodes/threshold-alert/rules';
import { AlertStore, StoredState } from '../../nodes/threshold-alert/store';
import { tempDir } from '../support/services';

const dir = tempDir('alert-bounds');
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const SILENT = [{ id: 'silent', kind: 'staleness', after: 60, severity: 'warning' }];
const HOT = [{ id: 'hot', metric: 'temperature', operator: '>', threshold: 25 }];

function setup(rules: unknown[], opts: EngineOptions = {}) {
  const clock = { t: 1_700_000_000_000 };
  const dropped: Record<Bound, number> = { historyLimit: 0, maxDevices: 0, maxAlerts: 0 };
  const engine = new AlertEngine(validateRules(rules), {
    now: () => clock.t,
    onDrop: (b, n) => {
      dropped[b] += n;
    },
    ...opts,
  });
  return {
    engine,
    clock,
    dropped,
    advance: (s: number) => {
      clock.t += s * 1000;
    },
  };
}
const reading = (deviceId: string, temperature = 20): Reading => ({ deviceId, sensorType: 'ruuvi', ts: 0, metrics: { temperature }, received: 0 });

test('maxDevices: newcomers beyond the bound are not tracked and each of their readings is counted', () => {
  const { engine, dropped, advance } = setup(SILENT, { maxDevices: 3 });
  for (const id of ['a', 'b', 'c', 'd', 'e']) engine.evaluate(reading(id));
  engine.evaluate(reading('a'));
  engine.evaluate(reading('e'));
  assert.equal(engine.counts().devices, 3);
  assert.equal(dropped.maxDevices, 3, 'd once, e twice');
  advance(61);
  assert.deepEqual(
    engine
      .tick()
      .map((t) => t.alert.deviceId)
      .sort(),
    ['a', 'b', 'c'],
    'the tracked ones stay watched',
  );
});

test('maxAlerts: a silent device beyond the bound is counted once per silence and alerts once there is room', () => {
  const { engine, dropped, advance } = setup(SILENT, { maxAlerts: 4 });
  for (let i = 0; i < 6; i++) engine.evaluate(reading(`d${i}`));
  advance(61);
  assert.equal(engine.tick().length, 4);
  assert.equal(dropped.maxAlerts, 2);
  advance(1);
  assert.equal(engine.tick().length, 0);
  assert.equal(dropped.maxAlerts, 2, 'not counted again on every tick');
  const back = engine.evaluate(reading('d0'));
  assert.deepEqual(
    back.transitions.map((t) => t.event),
    ['resolved'],
  );
  advance(1);
  assert.equal(engine.tick().length, 1, 'the freed place goes to a device still silent');
  assert.equal(engine.counts().firing, 4);
});

test('maxAlerts: threshold alerts beyond the bound are not opened and are counted', () => {
  const { engine, dropped } = setup(HOT, { maxAlerts: 10 });
  for (let i = 0; i < 12; i++) engine.evaluate(reading(`d${i}`, 30));
  assert.equal(engine.counts().firing, 10);
  assert.equal(dropped.maxAlerts, 2);
});

test('historyLimit: the history keeps the last entries, each one pushed out is counted', () => {
  const { engine, dropped } = setup(HOT, { historyLimit: 10 });
  for (let i = 0; i < 30; i++) engine.evaluate(reading(`d${i}`, 30));
  const { history } = engine.list();
  assert.equal(history.length, 10);
  assert.equal(history[9].deviceId, 'd29');
  assert.equal(dropped.historyLimit, 50, '60 entries (pending + fired each), 10 kept');
  assert.equal(engine.snapshot().history.length, 10);
});

test('10,000 devices silent at once: one alert each, counts without a pass, restored without re-firing', () => {
  const { engine, advance, clock, dropped } = setup(SILENT, { maxAlerts: 10_000, maxDevices: 20_000 });
  for (let i = 0; i < 10_000; i++) engine.evaluate(reading(`dev-${i}`));
  advance(61);
  const fired = engine.tick();
  assert.equal(fired.length, 10_000);
  assert.deepEqual([engine.counts().firing, engine.counts().bySeverity.warning], [10_000, 10_000]);
  assert.deepEqual(dropped, { historyLimit: 19_500, maxDevices: 0, maxAlerts: 0 });
  const saved = JSON.parse(JSON.stringify(engine.snapshot()));
  const again = new AlertEngine(validateRules(SILENT), { now: () => clock.t + 300_000, maxAlerts: 10_000 });
  assert.deepEqual(again.restore(saved), []);
  assert.deepEqual(again.tick(), [], 'a restart does not announce them again');
  assert.equal(again.counts().firing, 10_000);
  for (let i = 0; i < 10_000; i++) again.evaluate(reading(`dev-${i}`));
  assert.equal(again.counts().firing, 0, 'all back: all resolved');
});

test('restore into smaller bounds keeps what fits and counts the rest', () => {
  const { engine, advance } = setup(SILENT);
  for (let i = 0; i < 20; i++) engine.evaluate(reading(`d${i}`));
  advance(61);
  engine.tick();
  const dropped: Record<string, number> = {};
  const small = new AlertEngine(validateRules(SILENT), {
    maxAlerts: 15,
    maxDevices: 12,
    onDrop: (b, n) => {
      dropped[b] = (dropped[b] ?? 0) + n;
    },
  });
  small.restore(JSON.parse(JSON.stringify(engine.snapshot())));
  assert.deepEqual(dropped, { maxAlerts: 5, maxDevices: 8 });
  assert.deepEqual([small.counts().firing, small.counts().devices], [15, 12]);
});

test('saves never pile up: calls during a write fold into one follow-up that has the latest state', async () => {
  const file = path.join(dir, 'coalesce.json');
  let version = 0;
  let serialised = 0;
  const store = new AlertStore(file, () => {
    serialised++;
    return { version: 1, armed: false, alerts: [], history: [], seen: {}, savedAt: 0, marker: version } as unknown as StoredState;
  });
  const writes: Promise<void>[] = [];
  for (let i = 0; i < 200; i++) {
    version = i;
    writes.push(store.flush());
  }
  await Promise.all(writes);
  assert.ok(serialised <= 2, `serialised ${serialised} times for 200 requests`);
  assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).marker, 199);
});
