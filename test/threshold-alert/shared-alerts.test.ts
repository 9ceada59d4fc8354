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
