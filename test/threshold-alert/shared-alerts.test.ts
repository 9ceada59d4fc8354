/**
 * The shared alert state (nodes/threshold-alert/shared-alerts.ts; the gate's tests: shared-gate.test.ts)
 * against a real redis-server: two engines (two instances) see the same
 * readings; one fires, one acks, nothing twice, nothing lost.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { AlertEngine } from '../../nodes/threshold-alert/engine';
import { SharedAlerts } from '../../nodes/threshold-alert/shared-alerts';
import { SharedGate } from '../../nodes/threshold-alert/shared-gate';
import type { Transition } from '../../nodes/threshold-alert/alert-record';
import type { Rule } from '../../nodes/threshold-alert/rules';
import type { Reading } from '../../nodes/common/types';
import { missing, startRedis, Service } from '../support/services';

const skip = missing('redis-server');
let redis: Service;
const clients: Redis[] = [];

before(async () => {
  if (!skip) redis = await startRedis();
});
after(async () => {
  for (const c of clients) c.disconnect();
  await redis?.stop();
});

const rules: Rule[] = [
  {
    id: 'low-battery',
    name: 'Low battery',
    kind: 'threshold',
    metric: 'battery',
    operator: '<',
    threshold: 20,
    for: 0,
    keepFiring: 0,
    repeat: 0,
    severity: 'warning',
    enabled: true,
  } as Rule,
  { id: 'silent', name: 'Silent', kind: 'staleness', after: 1, repeat: 0, severity: 'warning', enabled: true } as Rule,
];
const reading = (deviceId: string, battery: number, ts = Date.now()): Reading => ({ deviceId, sensorType: 'env', ts, received: ts, metrics: { battery } });

let nodeSeq = 0;
function instance(nodeId: string, now: () => number = Date.now) {
  const client = new Redis(redis.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 200 });
  client.on('error', () => undefined);
  clients.push(client);
  const engine = new AlertEngine(rules, { now, idSuffix: `.i${clients.length}` });
  const emitted: Transition[] = [];
  const shared = new SharedAlerts(client, 'test:', nodeId, 100);
  const gate = new SharedGate(shared, engine, { emit: (ts) => emitted.push(...ts), warn: () => undefined, now });
  return { client, engine, emitted, shared, gate };
}
const settle = async (...g: SharedGate[]): Promise<void> => {
  for (let i = 0; i < 100 && g.some((x) => !x.idle); i++) await new Promise((r) => setTimeout(r, 20));
};

test(
  'the same ack and resolve reaching two instances in the same millisecond are announced once; a retry by the same instance is answered again',
  { skip },
  async () => {
    const node = `n${nodeSeq++}`;
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
