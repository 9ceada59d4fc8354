import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addGaugeSource, metrics, registry } from '../../nodes/common/metrics';

async function value(name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name) as
    { values: Array<{ value: number; labels: Record<string, string> }> } | undefined;
  return m?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
}

test('metrics: counters and gauges are in the shared registry under their names', () => {
  for (const name of ['iot_messages_received_total', 'iot_points_written_total', 'iot_writer_spool_points', 'iot_alerts_active', 'iot_bound_dropped_total'])
    assert.ok(registry.getSingleMetric(name), name);
  assert.equal(registry.getSingleMetric('iot_points_written_total'), metrics.pointsWritten);
});

test('metrics: a counter counts per label', async () => {
  metrics.boundDropped.inc({ node: 'metrics-test', bound: 'maxDevices' }, 3);
  metrics.boundDropped.inc({ node: 'metrics-test', bound: 'maxDevices' });
  assert.equal(await value('iot_bound_dropped_total', { node: 'metrics-test', bound: 'maxDevices' }), 4);
});

test('metrics: a scraped gauge sums its sources when read; a key registered again replaces its source', async () => {
  let spooled = 2;
  const removeA = addGaugeSource(metrics.writerSpool, 'metrics-a', () => spooled);
  const removeB = addGaugeSource(metrics.writerSpool, 'metrics-b', () => 5);
  assert.equal(await value('iot_writer_spool_points'), 7);
  spooled = 10;
  assert.equal(await value('iot_writer_spool_points'), 15);
  const removeB2 = addGaugeSource(metrics.writerSpool, 'metrics-b', () => 1);
  assert.equal(await value('iot_writer_spool_points'), 11, 'metrics-b counted once, with its new source');
  removeB();
  assert.equal(await value('iot_writer_spool_points'), 11, 'removing a replaced source leaves its successor');
  removeB2();
  removeA();
  assert.equal(await value('iot_writer_spool_points'), 0);
});

test('metrics: only scraped gauges take sources', () => {
  assert.throws(() => addGaugeSource(metrics.pointsWritten as never, 'x', () => 1), /iot_points_written_total is not a scraped gauge/);
});
