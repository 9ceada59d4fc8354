/**
 * The dashboard's function nodes, run from dashboards/dashboard.json itself:
 * fleet state, history queries and decimation, alert state, control checks,
 * servo status and System page rates.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { functionNode } from './flow-functions';

const reading = (deviceId: string, metrics: Record<string, number>, extra: Record<string, unknown> = {}) => ({
  topic: `lifecompanion/sensors/${deviceId}/environmental`,
  payload: { deviceId, sensorType: 'environmental', ts: 1_700_000_000_000, received: Date.now(), metrics, units: { temperature: '°C', battery: '%' }, ...extra },
});

test('fleet state keeps the latest value, unit and last-seen time per device', () => {
  const run = functionNode('fn-device-state');
  run(reading('ruuvi-1', { temperature: 20.1, battery: 80 }));
  const out = run(reading('ruuvi-1', { temperature: 21.7 })) as any;
  assert.equal(out.topic, 'devices');
  assert.equal(out.payload.offlineAfterS, 120, 'OFFLINE_AFTER_S defaults to 120 s');
  const [d] = out.payload.devices;
  assert.equal(d.deviceId, 'ruuvi-1');
  assert.deepEqual(d.metrics.temperature, { v: 21.7, u: '°C', ts: 1_700_000_000_000, st: 'environmental' });
  assert.equal(d.metrics.battery.v, 80, 'a metric missing from the newest reading keeps its last value');
  assert.ok(Date.now() - d.lastSeen < 5000);
  assert.equal(run({ payload: 'not a reading' }), null);
  assert.equal(run({ payload: { deviceId: '', metrics: {} } }), null);
});

test('history: a selection becomes an aggregated influxdb-query request and clears the chart', () => {
  const flow = new Map<string, unknown>();
  const state = functionNode('fn-device-state', { flow });
  const run = functionNode('fn-history', { flow });
  const snapshot = state(reading('ruuvi-1', { temperature: 21.7 })) as any;
  const [, , catalogState] = run(snapshot) as any[];
  assert.deepEqual(catalogState.payload.catalog, { 'ruuvi-1': { temperature: { st: 'environmental', u: '°C' } } });
  assert.equal(run(snapshot), null, 'an unchanged catalog sends nothing');

  const [query, clear, st] = run({ topic: 'select', payload: { deviceId: 'ruuvi-1', metric: 'temperature', range: '7d' } }) as any[];
  assert.deepEqual(query.payload, {
    mode: 'aggregate', measurement: 'environmental', deviceId: 'ruuvi-1', metric: 'temperature', start: '-7d', interval: '30m', fn: 'mean', limit: 1000,
  }, 'an influxdb-query request: mean per 30 min over 7 days (336 points)');
  assert.deepEqual(clear.payload, []);
  assert.match(st.payload.status, /^Loading ruuvi-1 · temperature/);
  const [q1h] = run({ topic: 'select', payload: { deviceId: 'ruuvi-1', metric: 'temperature', range: '1h' } }) as any[];
  assert.deepEqual([q1h.payload.start, q1h.payload.interval], ['-1h', '10s']);
  const [qBad] = run({ topic: 'select', payload: { deviceId: 'ruuvi-1', metric: 'temperature', range: '2y' } }) as any[];
  assert.equal(qBad.payload.start, '-1d', 'an unknown range falls back to 24 h');

  const unknown = run({ topic: 'select', payload: { deviceId: 'nope', metric: 'x', range: '1h' } }) as any[];
  assert.equal(unknown[0], null, 'no query for an unknown series');
});

test('history: query rows become at most 500 chart points; live points are decimated per bucket', () => {
  const flow = new Map<string, unknown>();
  const state = functionNode('fn-device-state', { flow });
  const run = functionNode('fn-history', { flow });
  run(state(reading('ruuvi-1', { temperature: 21.7 })) as any);
  const [query] = run({ topic: 'select', payload: { deviceId: 'ruuvi-1', metric: 'temperature', range: '1h' } }) as any[];
  const t0 = Date.now() - 3600e3;
  const rows = Array.from({ length: 2000 }, (_, i) => ({ x: t0 + i * 1000, y: i, series: 'ruuvi-1' }));
  const [, chart, st] = run({ ...query, payload: rows }) as any[];
  assert.equal(chart.action, 'replace');
  assert.equal(chart.payload.length, 500);
  assert.ok(chart.payload.every((p: any, i: number) => i === 0 || p.x > chart.payload[i - 1].x), 'sorted by time');
  assert.match(st.payload.status, /^500 points, mean per 10s over the last 1h · latest 1999 °C$/);

  const old = run({ ...query, historyQuery: 'older', payload: rows });
  assert.equal(old, null, 'an answer to an older selection is ignored');

  const last = chart.payload[chart.payload.length - 1].x;
  const live = (ts: number, v: number) => run({ payload: { deviceId: 'ruuvi-1', sensorType: 'environmental', ts, received: ts, metrics: { temperature: v } } }) as any;
  assert.equal(live(last + 2000, 1), null, 'inside the same 10 s bucket: dropped');
  const [, point] = live(last + 10_000, 22.5);
  assert.deepEqual(point.payload, { x: last + 10_000, y: 22.5 });
  assert.equal(point.topic, 'ruuvi-1 · temperature (°C)');
  assert.equal(live(last + 25_000, 1) && null, null);
  assert.equal(run({ payload: { deviceId: 'other', ts: last + 60_000, metrics: { temperature: 1 } } }), null, 'other devices are not drawn');

  const failed = run({ ...query, historyQuery: query.historyQuery, error: { message: 'Error: connection refused' } }) as any[];
  assert.equal(failed[2].payload.status, 'Query failed: connection refused');
});

test('alert state follows transitions and list answers; new critical alerts notify', () => {
  const run = functionNode('fn-alerts-state');
  const alert = { id: 'a1', ruleId: 'heart-rate', deviceId: 'w1', metric: 'heart_rate', value: 170, threshold: [40, 140], severity: 'critical', state: 'firing', since: 1, title: 'Heart rate abnormal on w1', text: 'heart_rate 170 <b>' };
  const [st, note] = run({ payload: alert, event: 'fired' }) as any[];
  assert.equal(st.payload.active.length, 1);
  assert.equal(st.payload.history[0].event, 'fired');
  assert.match(note.payload, /Critical: Heart rate abnormal on w1/);
  assert.ok(note.payload.includes('&lt;b&gt;'), 'alert text is escaped in the notification');

  const [acked, none] = run({ payload: { ...alert, state: 'acknowledged', acknowledgedBy: 'ana' }, event: 'acknowledged', by: 'ana', reason: 'on it' }) as any[];
  assert.equal(none, null, 'only fired critical alerts notify');
  assert.equal(acked.payload.active[0].state, 'acknowledged');
  assert.deepEqual([acked.payload.history[1].by, acked.payload.history[1].reason], ['ana', 'on it']);

  const [resolved] = run({ payload: { ...alert, state: 'resolved' }, event: 'resolved' }) as any[];
  assert.equal(resolved.payload.active.length, 0);

  const [listed] = run({ payload: { active: [{ ...alert, id: 'b' }], history: [{ at: 5, event: 'fired', alertId: 'b' }] } }) as any[];
  assert.deepEqual(listed.payload.active.map((a: any) => a.id), ['b']);
  assert.equal(listed.payload.history.length, 1, 'the list answer replaces local history');
  assert.equal(run({ payload: { active: 'x' } }), null);
});

test('ack / resolve requests need an action, an alert id and who', () => {
  const run = functionNode('fn-alert-control');
  const ok = run({ payload: { action: 'ack', alertId: 'a1', by: ' ana ', reason: 'checking' } }) as any;
  assert.deepEqual(ok.payload, { action: 'ack', alertId: 'a1', by: 'ana', reason: 'checking' });
  assert.equal(run({ payload: { action: 'delete', alertId: 'a1', by: 'x' } }), null);
  assert.equal(run({ payload: { action: 'resolve', alertId: 'a1', by: '  ' } }), null);
  assert.equal(run({ payload: { action: 'resolve', by: 'x' } }), null);
  assert.equal(run.warnings.length, 3);
});

test('servo requests are checked; status entries replace the local placeholder', () => {
  const flow = new Map<string, unknown>();
  const control = functionNode('fn-servo-control', { flow });
  const status = functionNode('fn-servo-status', { flow });
  const [req, local] = control({ payload: { deviceId: 'raspberry-01', direction: 'left' } }) as any[];
  assert.deepEqual(req.payload, { deviceId: 'raspberry-01', direction: 'left', source: 'dashboard' });
  const [angle] = control({ payload: { deviceId: 'raspberry-01', angle: '200' } }) as any[];
  assert.equal(angle.payload.angle, 180);
  assert.equal(control({ payload: { deviceId: 'bad id!', direction: 'left' } }), null);
  assert.equal(control({ payload: { deviceId: 'pi', direction: 'up' } }), null);

  let st = status(local) as any;
  assert.deepEqual(st.payload.commands.map((c: any) => c.status), ['requested']);
  assert.ok(st.payload.devices.includes('raspberry-01'), 'SERVO_DEVICES defaults to the seeds\' raspberry-01');
  st = status({ payload: { id: 'c1', deviceId: 'raspberry-01', action: 'move', params: { direction: 'left', angle: 0 }, status: 'sent' } }) as any;
  assert.deepEqual(st.payload.commands.map((c: any) => [c.id, c.action, c.status]), [['c1', 'move left', 'sent']]);
  st = status({ payload: { id: 'c1', deviceId: 'raspberry-01', action: 'move', params: { direction: 'left' }, status: 'failed' }, reason: 'rate limited' }) as any;
  assert.deepEqual(st.payload.commands.map((c: any) => [c.status, c.error]), [['failed', 'rate limited']]);
});

test('system figures: rates from counter deltas, queue, spool, outbox and reject reasons', () => {
  const run = functionNode('fn-system-state');
  const body = (n: number) => ({
    status: 'ready', reasons: [], brokers: { 'mqtt-broker': true },
    components: { w1: { kind: 'influxdb-writer', ok: true, detail: 'ok', figures: { queue: 3 }, updated: 1 } },
    counters: {
      iot_messages_received_total: n, 'iot_messages_received_total{family=sensors}': n, iot_points_written_total: n / 2,
      iot_readings_rejected_total: 4, 'iot_readings_rejected_total{reason=bad_json}': 4,
      iot_writer_queue_points: 7, iot_writer_spool_points: 11, iot_notifier_outbox: 2,
    },
  });
  const first = run({ payload: body(100), statusCode: 200 }) as any;
  assert.deepEqual(first.payload.rates, {}, 'no rate before a second poll');
  const prev = run.context.get('prev') as { at: number };
  run.context.set('prev', { ...prev, at: prev.at - 2000 });
  const second = run({ payload: body(140), statusCode: 200 }) as any;
  assert.ok(Math.abs(second.payload.rates.in - 20) < 1, `40 messages in ~2 s: ${second.payload.rates.in}/s`);
  assert.ok(Math.abs(second.payload.rates.written - 10) < 1);
  assert.deepEqual(second.payload.figures.queue, 7);
  assert.deepEqual([second.payload.figures.spool, second.payload.figures.outbox], [11, 2]);
  assert.deepEqual(second.payload.rejectReasons, { bad_json: 4 });
  assert.equal(second.payload.components[0].kind, 'influxdb-writer');

  const down = run({ payload: 'ECONNREFUSED', statusCode: undefined, error: { message: 'connect ECONNREFUSED' } }) as any;
  assert.equal(down.payload.ok, false);
  assert.match(down.payload.reasons[0], /ECONNREFUSED/);
});

test('the health URL uses the app port', () => {
  const run = functionNode('fn-health-url', { env: { PORT: '4321' } });
  assert.equal((run({}) as any).url, 'http://127.0.0.1:4321/health/ready');
});
