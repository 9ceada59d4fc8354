import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { AlertEngine } from '../../nodes/threshold-alert/engine';
import { validateRules } from '../../nodes/threshold-alert/rules';
import { AlertStore, StoredState } from '../../nodes/threshold-alert/store';
import { tempDir } from '../support/services';

const dir = tempDir('alert-store');
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const rules = validateRules([
  { id: 'hot', metric: 't', operator: '>', threshold: 25 },
  { id: 'slow', metric: 't', operator: '>', threshold: 25, for: 60, deviceId: 'slow-*' },
  { id: 'motion', kind: 'event', eventType: 'motion_detected', whileArmed: true },
]);

const waitFor = async (cond: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

test('round trip through a real file: alerts, history, armed, last-seen and the rules override', async () => {
  const file = path.join(dir, 'alerts', 'node-1.json');
  let t = 1_700_000_000_000;
  const e1 = new AlertEngine(rules, { now: () => t });
  e1.setArmed(true);
  const [fired] = e1.evaluate({ deviceId: 'd1', sensorType: 's', ts: t, metrics: { t: 30 }, received: t }).transitions;
  e1.evaluate({ deviceId: 'slow-1', sensorType: 's', ts: t, metrics: { t: 30 }, received: t });
  e1.act({ action: 'ack', alertId: fired.alert.id, by: 'alice', reason: 'seen' });
  const override = { configHash: 'abc', rules: rules.slice() };
  const store1 = new AlertStore(file, () => ({ ...e1.snapshot(), savedAt: 0, override }));
  await store1.flush();
  assert.deepEqual(fs.readdirSync(path.dirname(file)), ['node-1.json'], 'no temp file left behind');

  const loaded = new AlertStore(file, () => {
    throw new Error('unused');
  }).load() as StoredState;
  assert.deepEqual(loaded.override, override);
  t += 30_000;
  const e2 = new AlertEngine(rules, { now: () => t });
  assert.deepEqual(e2.restore(loaded), []);
  assert.equal(e2.armed, true);
  assert.deepEqual(e2.list(), e1.list());
  assert.deepEqual(e2.snapshot().seen, e1.snapshot().seen);
  t += 30_000;
  assert.deepEqual(
    e2.tick().map((x) => [x.event, x.alert.ruleId, x.alert.deviceId]),
    [['fired', 'slow', 'slow-1']],
  );
  assert.deepEqual(e2.evaluate({ deviceId: 'd1', sensorType: 's', ts: t, metrics: { t: 31 }, received: t }).transitions, []);
});

test('debounce: urgent saves soon, soft saves later, earlier deadline wins', async () => {
  const file = path.join(dir, 'debounce.json');
  let saves = 0;
  let n = 0;
  const store = new AlertStore(file, () => ({ version: 1, armed: false, alerts: [], history: [], seen: { [`d${n}`]: { at: n, types: {} } }, savedAt: 0 }), {
    urgentMs: 30,
    softMs: 60_000,
    onSaved: () => {
      saves++;
    },
  });
  n = 1;
  store.schedule(false);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(saves, 0, 'soft change not saved within 100 ms');
  n = 2;
  store.schedule(true);
  store.schedule(true);
  store.schedule(false);
  await waitFor(() => saves === 1);
  assert.deepEqual(Object.keys(JSON.parse(fs.readFileSync(file, 'utf8')).seen), ['d2']);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(saves, 1, 'one write for several changes');
  store.cancel();
});

test('a corrupt file is moved aside with a clear error, not overwritten', () => {
  const file = path.join(dir, 'corrupt.json');
  fs.writeFileSync(file, '{"version":1,"alerts":[');
  const store = new AlertStore(file, () => {
    throw new Error('unused');
  });
  assert.throws(() => store.load(), /unreadable .* moved to .*corrupt\.json\.corrupt-\d+, starting empty/);
  assert.equal(fs.existsSync(file), false);
  assert.equal(fs.readdirSync(dir).filter((f) => f.startsWith('corrupt.json.corrupt-')).length, 1);
  assert.equal(
    new AlertStore(path.join(dir, 'none.json'), () => {
      throw new Error('unused');
    }).load(),
    undefined,
  );
});

test('write errors reach onError, leave no temp file, and flush still resolves', async () => {
  const file = path.join(dir, 'is-a-dir');
  fs.mkdirSync(path.join(file, 'inside'), { recursive: true });
  const errors: Error[] = [];
  const store = new AlertStore(file, () => ({ version: 1, armed: false, alerts: [], history: [], seen: {}, savedAt: 0 }), { onError: (e) => errors.push(e) });
  await store.flush();
  assert.equal(errors.length, 1);
  assert.match(errors[0].message, /EISDIR|ENOTEMPTY|EEXIST/);
  assert.deepEqual(
    fs.readdirSync(dir).filter((f) => f.startsWith('is-a-dir.')),
    [],
    'temp file removed',
  );
});
