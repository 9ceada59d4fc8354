import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import express from 'express';
import { clearHealth, reportHealth } from '../../nodes/common/health';
import { brokerStates, counterSummary, healthRoutes, readiness, RuntimeView } from '../../nodes/common/health-routes';
import { metrics } from '../../nodes/common/metrics';

const view = (started = true, brokers: () => Record<string, boolean> = () => ({})): RuntimeView => ({ started: () => started, brokers });

test('brokerStates: mqtt-broker config nodes with users of their own, by id', () => {
  const nodes: Record<string, { type: string; node: unknown }> = {
    b1: { type: 'mqtt-broker', node: { connected: true, users: { n1: {} } } },
    b2: { type: 'mqtt-broker', node: { connected: false } },
    b3: { type: 'mqtt-broker', node: { connected: false, users: {} } },
    x: { type: 'function', node: {} },
  };
  const registry = {
    eachNode: (cb: (n: { id: string; type: string }) => void) => Object.entries(nodes).forEach(([id, n]) => cb({ id, type: n.type })),
    getNode: (id: string) => nodes[id].node,
  };
  assert.deepEqual(brokerStates(registry), { b1: true, b2: false });
});

test('counterSummary: totals per iot_ metric and per label set', async () => {
  metrics.readingsRejected.inc({ reason: 'hr_test_a' }, 2);
  metrics.readingsRejected.inc({ reason: 'hr_test_b' }, 3);
  const s = await counterSummary();
  assert.equal(s['iot_readings_rejected_total{reason=hr_test_a}'], 2);
  assert.equal(s['iot_readings_rejected_total{reason=hr_test_b}'], 3);
  assert.equal(s.iot_readings_rejected_total, 5);
});

test('readiness: starting, brokers down, runtime errors and failing components are reasons; an unconfigured writer only warns', () => {
  assert.deepEqual(readiness(view(false)), { status: 'starting', reasons: ['flows not started yet'], warnings: [] });
  assert.equal(readiness(view()).status, 'ready');
  assert.deepEqual(readiness(view(true, () => ({ b1: false, b2: true }))).reasons, ['MQTT broker b1 not connected']);
  const boom = readiness(
    view(true, () => {
      throw new Error('no registry');
    }),
  );
  assert.deepEqual([boom.status, boom.reasons], ['not ready', ['runtime not available: no registry']]);
  reportHealth('hr-w1', { kind: 'influxdb-writer', ok: false, detail: 'no database configured', figures: { configured: 0 } });
  try {
    const r = readiness(view());
    assert.deepEqual([r.status, r.warnings], ['ready', ['InfluxDB writer hr-w1: no database configured']]);
    reportHealth('hr-r', { kind: 'redis', ok: false, detail: 'ECONNREFUSED' });
    reportHealth('hr-w2', { kind: 'influxdb-writer', ok: false, detail: 'HTTP 500', figures: { configured: 1 } });
    assert.deepEqual(readiness(view()).reasons.sort(), ['InfluxDB writer hr-w2: HTTP 500', 'Redis (shared state): ECONNREFUSED']);
  } finally {
    for (const id of ['hr-w1', 'hr-w2', 'hr-r']) clearHealth(id);
  }
});

test('health routes: live, ready with detail for loopback, metrics behind the given auth', async () => {
  let started = false;
  const router = express.Router();
  healthRoutes(router, { started: () => started, brokers: () => ({}) }, { auth: (_req, res) => void res.status(401).json({ error: 'login' }) });
  const app = express().use(router);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    assert.equal((await fetch(`${base}/health/live`)).status, 503);
    assert.equal((await fetch(`${base}/health/ready`)).status, 503);
    started = true;
    const live = await fetch(`${base}/health/live`);
    assert.deepEqual([live.status, ((await live.json()) as { status: string }).status], [200, 'live']);
    const ready = await fetch(`${base}/health/ready`);
    const body = (await ready.json()) as { status: string; counters?: Record<string, number> };
    assert.deepEqual([ready.status, body.status, typeof body.counters], [200, 'ready', 'object'], 'loopback gets the detail');
    assert.equal((await fetch(`${base}/metrics`)).status, 401);
  } finally {
    server.close();
  }
});
