/**
 * Two alert engines (two instances) on one real redis-server, for the shared
 * alert state's tests (shared-alerts.test.ts, shared-gate.test.ts). Call
 * sharedEngines() at a test file's top level: it registers the before/after hooks.
 */
import { after, before } from 'node:test';
import Redis from 'ioredis';
import { AlertEngine } from '../../nodes/threshold-alert/engine';
import { SharedAlerts } from '../../nodes/threshold-alert/shared-alerts';
import { SharedGate } from '../../nodes/threshold-alert/shared-gate';
import type { Transition } from '../../nodes/threshold-alert/alert-record';
import type { Rule } from '../../nodes/threshold-alert/rules';
import type { Reading } from '../../nodes/common/types';
import { missing, startRedis, Service } from '../support/services';

export const rules: Rule[] = [
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
export const reading = (deviceId: string, battery: number, ts = Date.now()): Reading => ({
  deviceId,
  sensorType: 'env',
  ts,
  received: ts,
  metrics: { battery },
});

export function sharedEngines() {
  const skip = missing('redis-server');
  let nodeSeq = 0;
  let redis: Service;
  const clients: Redis[] = [];

  before(async () => {
    if (!skip) redis = await startRedis();
  });
  after(async () => {
    for (const c of clients) c.disconnect();
    await redis?.stop();
  });

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
  return { skip, instance, settle, nextNode: () => `n${nodeSeq++}`, redis: () => redis };
}
