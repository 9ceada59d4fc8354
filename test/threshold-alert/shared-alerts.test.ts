/**
 * The shared alert state (nodes/threshold-alert/shared-alerts.ts; the gate's tests: shared-gate.test.ts)
 * against a real redis-server: two engines (two instances) see the same
 * readings; one fires, one acks, nothing twice, nothing lost.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reading, sharedEngines } from './shared-support';

const { skip, instance, settle, nextNode } = sharedEngines();

test(
  'the same ack and resolve reaching two instances in the same millisecond are announced once; a retry by the same instance is answered again',
  { skip },
  async () => {
    const node = nextNode();
    const at = Date.now();
    const [a, b] = [instance(node, () => at), instance(node, () => at)];
    await new Promise((r) => setTimeout(r, 200));
    a.gate.transitions(a.engine.evaluate(reading('d9', 5, at)).transitions);
    await settle(a.gate);
    const alertId = a.emitted[0].alert.id;
    for (const action of ['ack', 'resolve'] as const) {
      const first = await a.shared.act({ action, alertId, by: 'op' }, at + 1);
      assert.ok(first.transition, `${action}: the first instance announces it`);
      assert.equal(
        (await b.shared.act({ action, alertId, by: 'op' }, at + 1)).transition,
        undefined,
        `${action}: the other instance, same millisecond, stays quiet`,
      );
      assert.ok(
        (await a.shared.act({ action, alertId, by: 'op' }, at + 1)).transition,
        `${action}: the first instance's retry (a lost reply) gets its transition again`,
      );
    }
  },
);

test('a Redis that lost the state gets a new epoch; restore puts back active alerts without overwriting another instance’s', { skip }, async () => {
  const node = nextNode();
  const at = Date.now();
  const [a, b] = [instance(node, () => at), instance(node, () => at)];
  await new Promise((r) => setTimeout(r, 200));
  const first = await a.shared.epoch('e1');
  assert.deepEqual(first, { id: 'e1', created: true }, 'the first caller starts the epoch');
  assert.deepEqual(await b.shared.epoch('e2'), { id: 'e1', created: false }, 'the others follow it');
  // Two alerts on instance a, one acknowledged; then Redis loses everything of the node.
  a.gate.transitions([...a.engine.evaluate(reading('r1', 5, at)).transitions, ...a.engine.evaluate(reading('r2', 5, at)).transitions]);
  await settle(a.gate);
  const [r1, r2] = a.emitted.map((t) => t.alert);
  a.gate.act({ action: 'ack', alertId: r1.id, by: 'op' });
  await settle(a.gate);
  const keys = await a.client.keys(`test:{${node}}:*`);
  await a.client.del(...keys);
  assert.deepEqual((await a.shared.fetch()).alerts, [], 'lost');
  assert.deepEqual(await b.shared.epoch('e3'), { id: 'e3', created: true }, 'found missing: a new epoch');
  // Instance b holds a record of r2 of its own (adopted earlier, say): put back first, it wins.
  const mine = { ...r2, text: 'b’s copy' };
  assert.equal(await b.shared.restore([mine], true), 1);
  const back = a.engine.list().active;
  assert.equal(await a.shared.restore(back, false), 1, 'r1 put back, r2 already there');
  const { alerts, armed } = await a.shared.fetch();
  const byDevice = new Map(alerts.map((x) => [x.deviceId, x]));
  assert.equal(byDevice.get('r1')?.state, 'acknowledged', 'the acknowledgement survives');
  assert.equal(byDevice.get('r2')?.text, 'b’s copy', 'a record already back is not overwritten');
  assert.equal(armed, true, 'the armed state of the first to put it back');
  // An ack by id works on a record put back (its id index is back too).
  const res = await b.shared.act({ action: 'resolve', alertId: r1.id, by: 'op' }, at + 5);
  assert.equal(res.transition?.event, 'resolved');
});
