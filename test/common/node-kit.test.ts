/**
 * The node kit against a recording node (the runtime paths are covered by the
 * node tests: threshold-alert, influxdb writer, notifier, camera): config
 * failures reject every input, fail() is status plus done(err), health and
 * gauge sources are removed on close, gauges are computed when scraped.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { healthSnapshot } from '../../nodes/common/health';
import { addGaugeSource, metrics, registry } from '../../nodes/common/metrics';
import { nodeKit, toError } from '../../nodes/common/node-kit';
import type { NodeInstance, NodeMessage } from '../../nodes/common/red';
import type { NodeStatus } from '../../nodes/common/status';

type Listener = (...args: unknown[]) => void;

/** A node that records what the kit does to it; close() runs close listeners the way Node-RED does (by arity). */
function recordingNode(id: string) {
  const listeners: Record<string, Listener[]> = { input: [], close: [] };
  const statuses: NodeStatus[] = [];
  const errors: unknown[] = [];
  const node = {
    id,
    type: 'test',
    credentials: {},
    on: (event: string, cb: Listener) => listeners[event].push(cb),
    status: (s: NodeStatus) => statuses.push(s),
    error: (e: unknown) => errors.push(e),
  } as unknown as NodeInstance;
  return {
    node,
    statuses,
    errors,
    listeners,
    input(msg: NodeMessage): Promise<Error | undefined> {
      return new Promise((resolve) => {
        for (const cb of listeners.input) cb(msg, () => undefined, resolve);
      });
    },
    async close(): Promise<void> {
      await Promise.all(listeners.close.map((cb) => (cb.length === 0 ? cb() : new Promise<void>((r) => (cb.length === 2 ? cb(false, r) : cb(r))))));
    },
  };
}

async function gaugeValue(name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name) as
    { values: Array<{ value: number; labels: Record<string, string> }> } | undefined;
  return m?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
}

test('a config that fails to parse: red ring, one log line if asked, and every input rejected with that error', async () => {
  const r = recordingNode('kit-parse');
  const kit = nodeKit(r.node, 'test');
  const cfg = kit.parse(
    () => {
      throw new Error('rate must be a number');
    },
    { log: (m) => `test: ${m}`, health: { kind: 'test', detail: (m) => `settings: ${m}` } },
  );
  assert.equal(cfg, undefined);
  assert.deepEqual(r.statuses, [{ fill: 'red', shape: 'ring', text: 'rate must be a number' }]);
  assert.deepEqual(r.errors, ['test: rate must be a number']);
  assert.deepEqual({ ...healthSnapshot()['kit-parse'], updated: 0 }, { kind: 'test', ok: false, detail: 'settings: rate must be a number', updated: 0 });
  for (let i = 0; i < 3; i++) assert.equal((await r.input({ payload: i }))?.message, 'rate must be a number');
  await r.close();
  assert.equal(healthSnapshot()['kit-parse'], undefined, 'health cleared on close');
});

test('a config that parses is returned and nothing else happens', () => {
  const r = recordingNode('kit-ok');
  const cfg = nodeKit(r.node, 'test').parse(() => ({ rate: 5 }));
  assert.deepEqual(cfg, { rate: 5 });
  assert.deepEqual(r.statuses, []);
  assert.equal(r.listeners.input.length, 0);
});

test('fail(): red ring and done(err) in one call; a thrown string becomes an Error', () => {
  const r = recordingNode('kit-fail');
  const kit = nodeKit(r.node, 'test');
  const got: Array<Error | undefined> = [];
  kit.fail((e) => got.push(e), 'boom');
  kit.fail((e) => got.push(e), new RangeError('far'), 'out of range');
  assert.deepEqual(
    r.statuses.map((s) => [s.fill, s.text]),
    [
      ['red', 'boom'],
      ['red', 'out of range'],
    ],
  );
  assert.ok(got[0] instanceof Error && got[0].message === 'boom');
  assert.ok(got[1] instanceof RangeError);
  assert.equal(toError(7).message, '7');
});

test('health is reported under the node id and cleared on close', async () => {
  const r = recordingNode('kit-health');
  const kit = nodeKit(r.node, 'test-kind');
  kit.health(true, 'fine', { queued: 3 });
  assert.deepEqual({ ...healthSnapshot()['kit-health'], updated: 0 }, { kind: 'test-kind', ok: true, detail: 'fine', figures: { queued: 3 }, updated: 0 });
  await r.close();
  assert.equal(healthSnapshot()['kit-health'], undefined);
});

test('gauges are computed when scraped: the sum of the live sources, by label; a closed node stops counting', async () => {
  const a = recordingNode('kit-gauge-a');
  const b = recordingNode('kit-gauge-b');
  let queuedA = 4;
  nodeKit(a.node, 'test').gauge(metrics.writerQueue, () => queuedA);
  nodeKit(b.node, 'test').gauge(metrics.writerQueue, () => 10);
  assert.equal(await gaugeValue('iot_writer_queue_points'), 14);
  queuedA = 6;
  assert.equal(await gaugeValue('iot_writer_queue_points'), 16, 'read at scrape time, no increments');
  await a.close();
  assert.equal(await gaugeValue('iot_writer_queue_points'), 10);
  await b.close();
  assert.equal(await gaugeValue('iot_writer_queue_points'), 0);

  const remove = addGaugeSource(metrics.alertsActive, 'kit-sev', () => ({ info: 1, warning: 2, critical: 0 }));
  const remove2 = addGaugeSource(metrics.alertsActive, 'kit-sev-2', () => ({ warning: 5 }));
  assert.equal(await gaugeValue('iot_alerts_active', { severity: 'warning' }), 7);
  assert.equal(await gaugeValue('iot_alerts_active', { severity: 'critical' }), 0);
  remove();
  remove2();
  assert.equal(await gaugeValue('iot_alerts_active', { severity: 'warning' }), undefined);
  assert.throws(() => addGaugeSource({ name: 'nope' } as never, 'x', () => 1), /nope is not a scraped gauge/);
});
