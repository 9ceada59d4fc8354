/**
 * The gate between one alert engine and the shared alert state
 * (nodes/threshold-alert/shared-gate.ts) against a real redis-server: two
 * engines (two instances) see the same readings; one fires, one acks, nothing
 * twice, nothing lost. The shared state's own actions: shared-alerts.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AlertEngine } from '../../nodes/threshold-alert/engine';
import { reading, sharedEngines } from './shared-support';

const { skip, instance, settle, nextNode, redis } = sharedEngines();

test("the same low reading on two instances fires once; the loser adopts the winner's alert", { skip }, async () => {
  const node = nextNode();
  const [a, b] = [instance(node), instance(node)];
  await new Promise((r) => setTimeout(r, 200));
  for (let i = 0; i < 20; i++) {
    const dev = `dev-${i}`;
    a.gate.transitions(a.engine.evaluate(reading(dev, 10)).transitions);
    b.gate.transitions(b.engine.evaluate(reading(dev, 11)).transitions);
  }
  await settle(a.gate, b.gate);
  const fired = [...a.emitted, ...b.emitted].filter((t) => t.event === 'fired');
  assert.equal(fired.length, 20, 'one fired transition per device over both instances');
  assert.equal(new Set(fired.map((t) => t.alert.deviceId)).size, 20);
  // Both engines hold the same alert ids now.
  const ids = (e: AlertEngine) =>
    e
      .list()
      .active.map((x) => x.id)
      .sort();
  assert.deepEqual(ids(a.engine), ids(b.engine));
});

test('an ack on the other instance is announced once, repeated acks are quiet, the first instance sees it after a sync', { skip }, async () => {
  const node = nextNode();
  const [a, b] = [instance(node), instance(node)];
  await new Promise((r) => setTimeout(r, 200));
  a.gate.transitions(a.engine.evaluate(reading('d1', 5)).transitions);
  await settle(a.gate);
  const alertId = a.emitted[0].alert.id;
  // B never saw the device: it acts on the shared record by id.
  const t = await b.gate.act({ action: 'ack', alertId, by: 'op' });
  assert.equal(t?.event, 'acknowledged');
  assert.equal(t?.alert.acknowledgedBy, 'op');
  // The same control message reaches A too (plain subscription): a no-op there, not an error.
  assert.equal(await a.gate.act({ action: 'ack', alertId, by: 'op' }), undefined);
  await assert.rejects(a.gate.act({ action: 'ack', alertId, by: 'someone else' }), /already acknowledged by op/);
  await a.gate.sync();
  assert.equal(a.engine.list().active[0].state, 'acknowledged');
  // A later low reading on A does not fire again, and resolving is announced once.
  a.gate.transitions(a.engine.evaluate(reading('d1', 4)).transitions);
  await settle(a.gate);
  assert.deepEqual(
    a.emitted.map((x) => x.event),
    ['fired'],
  );
  const list = await b.shared.list();
  assert.deepEqual(
    list.history.map((h) => h.event),
    ['fired', 'acknowledged'],
  );
  const r = await a.gate.act({ action: 'resolve', alertId, by: 'op' });
  assert.equal(r?.event, 'resolved');
  assert.equal(await b.gate.act({ action: 'resolve', alertId, by: 'op' }), undefined);
  assert.equal((await b.shared.fetch()).alerts.length, 0);
});

test('a device heard by the other instance is not reported silent', { skip }, async () => {
  const node = nextNode();
  let t = Date.now();
  const now = () => t;
  const [a, b] = [instance(node, now), instance(node, now)];
  await new Promise((r) => setTimeout(r, 200));
  a.engine.evaluate(reading('quiet', 90, t));
  b.engine.evaluate(reading('quiet', 90, t));
  t += 1500;
  // Only B hears from it again, and shares the time.
  b.engine.evaluate(reading('quiet', 90, t));
  await b.shared.pushSeen([['quiet', t]]);
  t += 200;
  a.gate.transitions(a.engine.tick());
  await settle(a.gate);
  assert.equal(a.emitted.length, 0, 'A judged it silent locally, but the shared last-seen time says otherwise');
  t += 1500;
  a.gate.transitions(a.engine.tick());
  b.gate.transitions(b.engine.tick());
  await settle(a.gate, b.gate);
  assert.equal([...a.emitted, ...b.emitted].filter((x) => x.event === 'fired').length, 1, 'silent now: one alert over both');
});

test('while Redis is away, transitions wait and are claimed once it is back', { skip }, async () => {
  const node = nextNode();
  const a = instance(node);
  await new Promise((r) => setTimeout(r, 200));
  await redis().stop();
  a.gate.transitions(a.engine.evaluate(reading('late', 3)).transitions);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(a.emitted.length, 0);
  assert.equal(a.gate.idle, false);
  await redis().start();
  await settle(a.gate);
  for (let i = 0; i < 100 && !a.emitted.length; i++) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(
    a.emitted.map((x) => x.event),
    ['fired'],
  );
});
