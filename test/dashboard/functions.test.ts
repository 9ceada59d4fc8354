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
  payload: {
    deviceId,
    sensorType: 'environmental',
    ts: 1_700_000_000_000,
    received: Date.now(),
    metrics,
    units: { temperature: '°C', battery: '%' },
    ...extra,
  },
});

const tick = { topic: 'tick', payload: 0 };

test('fleet state: a reading updates the map and sends nothing; the tick sends the fleet once per change', () => {
  const run = functionNode('fn-device-state');
  assert.equal(run(reading('ruuvi-1', { temperature: 20.1, battery: 80 })), null, 'a reading sends nothing');
  assert.equal(run(reading('ruuvi-1', { temperature: 21.7 })), null);
  const [out, note] = run(tick) as any[];
  assert.equal(out.topic, 'devices');
  assert.equal(out.payload.offlineAfterS, 120, 'OFFLINE_AFTER_S defaults to 120 s');
  assert.deepEqual([out.payload.total, out.payload.offline, out.payload.hidden, out.payload.dropped], [1, 0, 0, 0]);
  const [d] = out.payload.devices;
  assert.equal(d.deviceId, 'ruuvi-1');
  assert.deepEqual(d.metrics.temperature, { v: 21.7, u: '°C', ts: 1_700_000_000_000, st: 'environmental' });
  assert.equal(d.metrics.battery.v, 80, 'a metric missing from the newest reading keeps its last value');
  assert.ok(Date.now() - d.lastSeen < 5000);
  assert.equal(note.topic, 'fleet');
  assert.equal(run(tick), null, 'nothing changed: no snapshot');
  assert.equal(run({ payload: 'not a reading' }), null);
  assert.equal(run({ payload: { deviceId: '', metrics: {} } }), null);
  assert.equal(run(tick), null, 'invalid input changes nothing');

  // A device that crosses the offline threshold is a change, without any reading.
  const fleet = run.flow.get('fleet') as any;
  fleet.devices.get('ruuvi-1').lastSeen = Date.now() - 121_000;
  run.flow.set('fleet', fleet);
  const [offline] = run(tick) as any[];
  assert.equal(offline.payload.offline, 1);
  assert.equal(run(tick), null);
});

test('fleet state is bounded: devices past DASHBOARD_MAX_DEVICES are dropped and counted; tiles past DASHBOARD_MAX_TILES are counted', () => {
  const run = functionNode('fn-device-state', { env: { DASHBOARD_MAX_DEVICES: '3', DASHBOARD_MAX_TILES: '2' } });
  for (const id of ['c', 'a', 'b', 'd', 'e']) run(reading(id, { temperature: 1 }));
  run(reading('d', { temperature: 2 }));
  const fleet = run.flow.get('fleet') as any;
  assert.deepEqual([...fleet.devices.keys()].sort(), ['a', 'b', 'c'], 'the first three devices are tracked');
  fleet.devices.get('c').lastSeen = Date.now() - 200_000;
  run.flow.set('fleet', fleet);
  const [out] = run(tick) as any[];
  assert.deepEqual(
    out.payload.devices.map((d: any) => d.deviceId),
    ['c', 'a'],
    'offline first, then by id',
  );
  assert.deepEqual([out.payload.total, out.payload.hidden, out.payload.offline, out.payload.dropped, out.payload.maxDevices], [3, 1, 1, 3, 3]);
  // 40 metrics per device at most.
  const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`m${i}`, i]));
  run(reading('a', many));
  const [again] = run(tick) as any[];
  assert.equal(Object.keys(again.payload.devices.find((d: any) => d.deviceId === 'a').metrics).length, 40);
  // 8 sensor types per device at most.
  for (let i = 0; i < 20; i++) run(reading('b', { temperature: i }, { sensorType: `type-${i}` }));
  assert.equal((run.flow.get('fleet') as any).devices.get('b').sensorTypes.length, 8);
});

test('fleet state forgets a device silent for DASHBOARD_FORGET_AFTER_H hours, until it reports again', () => {
  const run = functionNode('fn-device-state', { env: { DASHBOARD_FORGET_AFTER_H: '2' } });
  run(reading('old', { temperature: 1 }));
  run(reading('new', { temperature: 2 }));
  const [first, note] = run(tick) as any[];
  assert.equal(first.payload.total, 2);
  const catalog = note.payload.catalog;
  const fleet = run.flow.get('fleet') as any;
  fleet.devices.get('old').lastSeen = Date.now() - 2 * 3600_000 - 1000;
  const [out, after] = run(tick) as any[];
  assert.deepEqual(
    out.payload.devices.map((d: any) => d.deviceId),
    ['new'],
  );
  assert.deepEqual([out.payload.total, out.payload.forgotten, out.payload.offline], [1, 1, 0]);
  assert.equal(after.payload.catalog, catalog - 2, 'its catalog entries (device and metric) go with it');
  run(reading('old', { temperature: 3 }));
  const [back] = run(tick) as any[];
  assert.equal(back.payload.total, 2, 'it comes back with its next reading');
});

test("fleet state takes a batch of readings (the normalizer's output 3) in one call, merged on the tick", () => {
  const run = functionNode('fn-device-state');
  const batch = [
    reading('pi', { button: 1 }, { sensorType: 'button' }),
    reading('pi', { motion: 1 }, { sensorType: 'motion', event: { id: 'e1', type: 'motion_detected' } }),
    reading('ruuvi', { temperature: 20, battery: 80 }),
    reading('ruuvi', { temperature: 21 }),
    reading('__proto__', { temperature: 1 }),
    reading('constructor', { temperature: 2 }),
    { payload: 'not a reading' },
  ].map((m) => m.payload);
  assert.equal(run({ topic: 'readings', payload: batch }), null, 'a batch sends nothing');
  const [out] = run(tick) as any[];
  const byId = Object.fromEntries(out.payload.devices.map((d: any) => [d.deviceId, d]));
  assert.deepEqual(Object.keys(byId).sort(), ['__proto__', 'constructor', 'pi', 'ruuvi'], 'device ids are Map keys: no prototype games');
  assert.deepEqual(byId.pi.sensorTypes.sort(), ['button', 'motion'], 'both sensor types of one device in one batch');
  assert.deepEqual([byId.pi.metrics.button.v, byId.pi.metrics.motion.v, byId.pi.lastEvent.type], [1, 1, 'motion_detected']);
  assert.equal(byId.ruuvi.metrics.temperature.v, 21, 'the newest value of the second wins');
  assert.equal(byId.ruuvi.metrics.battery.v, 80, 'a metric only an older reading of the second carried is kept');
  assert.equal(({} as any).temperature, undefined, 'no prototype pollution');
  assert.equal(run(tick), null);
  // A fleet kept in memory by version 1.2.0 (no dirty list, devices without pending) survives a deploy.
  const old = {
    devices: new Map([['x', { deviceId: 'x', sensorTypes: [], metrics: {}, n: 0, lastSeen: 0 }]]),
    dropped: 0,
    changed: false,
    catalog: 1,
    offline: -1,
  };
  run.flow.set('fleet', old);
  run(reading('x', { temperature: 5 }));
  const [again] = run(tick) as any[];
  assert.equal(again.payload.devices.find((d: any) => d.deviceId === 'x').metrics.temperature.v, 5);
});

test('fleet state: cost per reading does not grow with the fleet', () => {
  // 5,000 devices in one batch (as the normalizer's output 3 sends them), then readings: nothing
  // is sent per reading (the old function built a 5,000-device snapshot per reading).
  // (This harness clones the flow context on every get and set, as a check that the
  // function sets what it changes, so it feeds one batch rather than 5,000 calls.)
  const flow = new Map<string, unknown>();
  const run = functionNode('fn-device-state', { flow });
  assert.equal(run({ topic: 'readings', payload: Array.from({ length: 5000 }, (_, i) => reading(`dev-${i}`, { temperature: i }).payload) }), null);
  const [out] = run(tick) as any[];
  assert.equal(out.payload.total, 5000);
  assert.equal(out.payload.devices.length, 200, 'DASHBOARD_MAX_TILES defaults to 200');
  assert.equal(run(reading('dev-1', { temperature: 1 })), null);
});

test('history: a selection becomes an aggregated influxdb-query request and clears the chart', () => {
  const flow = new Map<string, unknown>();
  const state = functionNode('fn-device-state', { flow });
  const run = functionNode('fn-history', { flow });
  state(reading('ruuvi-1', { temperature: 21.7 }));
  const [, note] = state(tick) as any[];
  const [, , catalogState] = run(note) as any[];
  assert.deepEqual(catalogState.payload.catalog, { 'ruuvi-1': { temperature: { st: 'environmental', u: '°C' } } });
  assert.equal(run(note), null, 'an unchanged catalog sends nothing');

  const [query, clear, st] = run({ topic: 'select', payload: { deviceId: 'ruuvi-1', metric: 'temperature', range: '7d' } }) as any[];
  assert.deepEqual(
    query.payload,
    {
      mode: 'aggregate',
      measurement: 'environmental',
      deviceId: 'ruuvi-1',
      metric: 'temperature',
      start: '-7d',
      interval: '30m',
      fn: 'mean',
      limit: 1000,
    },
    'an influxdb-query request: mean per 30 min over 7 days (336 points)',
  );
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
  state(reading('ruuvi-1', { temperature: 21.7 }));
  run((state(tick) as any[])[1]);
  const [query] = run({ topic: 'select', payload: { deviceId: 'ruuvi-1', metric: 'temperature', range: '1h' } }) as any[];
  const t0 = Date.now() - 3600e3;
  const rows = Array.from({ length: 2000 }, (_, i) => ({ x: t0 + i * 1000, y: i, series: 'ruuvi-1' }));
  const [, chart, st] = run({ ...query, payload: rows }) as any[];
  assert.equal(chart.action, 'replace');
  assert.equal(chart.payload.length, 500);
  assert.ok(
    chart.payload.every((p: any, i: number) => i === 0 || p.x > chart.payload[i - 1].x),
    'sorted by time',
  );
  assert.match(st.payload.status, /^500 points, mean per 10s over the last 1h · latest 1999 °C$/);

  const old = run({ ...query, historyQuery: 'older', payload: rows });
  assert.equal(old, null, 'an answer to an older selection is ignored');

  const last = chart.payload[chart.payload.length - 1].x;
  // A live point: the reading goes to the fleet state, the tick tells History, which reads the latest value.
  const live = (deviceId: string, ts: number, v: number) => {
    state({ payload: { deviceId, sensorType: 'environmental', ts, received: Date.now(), metrics: { temperature: v } } });
    const out = state(tick) as any[] | null;
    return out ? (run(out[1]) as any) : null;
  };
  assert.equal(live('ruuvi-1', last + 2000, 1), null, 'inside the same 10 s bucket: dropped');
  const [, point] = live('ruuvi-1', last + 10_000, 22.5);
  assert.deepEqual(point.payload, { x: last + 10_000, y: 22.5 });
  assert.equal(point.topic, 'ruuvi-1 · temperature (°C)');
  assert.equal(live('ruuvi-1', last + 15_000, 1), null);
  const other = live('other', last + 60_000, 1);
  assert.equal(other && other[1], null, 'other devices are not drawn');

  const failed = run({ ...query, historyQuery: query.historyQuery, error: { message: 'Error: connection refused' } }) as any[];
  assert.equal(failed[2].payload.status, 'Query failed: connection refused');
});

test('alert state follows transitions and list answers; sent at most once per tick; new critical alerts notify', () => {
  const run = functionNode('fn-alerts-state');
  const alert = {
    id: 'a1',
    ruleId: 'heart-rate',
    deviceId: 'w1',
    metric: 'heart_rate',
    value: 170,
    threshold: [40, 140],
    severity: 'critical',
    state: 'firing',
    since: 1,
    title: 'Heart rate abnormal on w1',
    text: 'heart_rate 170 <b>',
  };
  assert.equal(run({ payload: alert, event: 'fired' }), null, 'a transition sends nothing by itself');
  const [st, hist, note] = run(tick) as any[];
  assert.equal(st.payload.active.length, 1);
  assert.equal(hist.payload.history[0].event, 'fired');
  assert.match(note.payload, /Critical: Heart rate abnormal on w1/);
  assert.ok(note.payload.includes('&lt;b&gt;'), 'alert text is escaped in the notification');
  assert.equal(run(tick), null, 'nothing changed since the last tick');

  run({ payload: { ...alert, state: 'acknowledged', acknowledgedBy: 'ana' }, event: 'acknowledged', by: 'ana', reason: 'on it' });
  const [acked, ackHist, none] = run(tick) as any[];
  assert.equal(none, null, 'only fired critical alerts notify');
  assert.equal(acked.payload.active[0].state, 'acknowledged');
  assert.deepEqual([ackHist.payload.history[1].by, ackHist.payload.history[1].reason], ['ana', 'on it']);

  run({ payload: { ...alert, state: 'resolved' }, event: 'resolved' });
  const [resolved] = run(tick) as any[];
  assert.equal(resolved.payload.active.length, 0);
  assert.equal(resolved.payload.total, 0);

  run({ payload: { active: [{ ...alert, id: 'b' }], history: [{ at: 5, event: 'fired', alertId: 'b' }] } });
  const [listed, listedHist] = run(tick) as any[];
  assert.deepEqual(
    listed.payload.active.map((a: any) => a.id),
    ['b'],
  );
  assert.equal(listedHist.payload.history.length, 1, 'the list answer replaces local history');
  assert.equal(run({ payload: { active: 'x' } }), null);
});

test('alert state: a storm of transitions is one bounded update and one notification per tick', () => {
  const run = functionNode('fn-alerts-state');
  for (let i = 0; i < 1500; i++) {
    const out = run({
      payload: {
        id: `s${i}`,
        ruleId: 'device-silent',
        deviceId: `d${i}`,
        severity: i % 2 ? 'warning' : 'critical',
        state: 'firing',
        since: i,
        title: `Silent d${i}`,
      },
      event: 'fired',
    });
    assert.equal(out, null);
  }
  const [active, hist, note] = run(tick) as any[];
  assert.equal(active.payload.total, 1500);
  assert.equal(active.payload.active.length, 200, 'DASHBOARD_MAX_ALERTS defaults to 200');
  assert.equal(active.payload.hidden, 1300);
  assert.ok(
    active.payload.active.every((a: any) => a.severity === 'critical'),
    'critical first',
  );
  assert.equal(active.payload.active[0].id, 's1498', 'newest first');
  assert.equal(hist.payload.history.length, 500, 'history holds 500 transitions');
  assert.match(note.payload, /^<b>Critical: Silent d0 \(and 749 more\)<\/b>/);
  assert.equal(run(tick), null);
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
  assert.deepEqual(
    st.payload.commands.map((c: any) => c.status),
    ['requested'],
  );
  assert.ok(st.payload.devices.includes('raspberry-01'), "SERVO_DEVICES defaults to the seeds' raspberry-01");
  st = status({ payload: { id: 'c1', deviceId: 'raspberry-01', action: 'move', params: { direction: 'left', angle: 0 }, status: 'sent' } }) as any;
  assert.deepEqual(
    st.payload.commands.map((c: any) => [c.id, c.action, c.status]),
    [['c1', 'move left', 'sent']],
  );
  st = status({
    payload: { id: 'c1', deviceId: 'raspberry-01', action: 'move', params: { direction: 'left' }, status: 'failed' },
    reason: 'rate limited',
  }) as any;
  assert.deepEqual(
    st.payload.commands.map((c: any) => [c.status, c.error]),
    [['failed', 'rate limited']],
  );
});

test('system figures: rates from counter deltas, queue, spool, outbox and reject reasons', () => {
  const run = functionNode('fn-system-state');
  const body = (n: number) => ({
    status: 'ready',
    reasons: [],
    brokers: { 'mqtt-broker': true },
    components: { w1: { kind: 'influxdb-writer', ok: true, detail: 'ok', figures: { queue: 3 }, updated: 1 } },
    counters: {
      iot_messages_received_total: n,
      'iot_messages_received_total{family=sensors}': n,
      iot_points_written_total: n / 2,
      iot_readings_rejected_total: 4,
      'iot_readings_rejected_total{reason=bad_json}': 4,
      iot_writer_queue_points: 7,
      iot_writer_spool_points: 11,
      iot_notifier_outbox: 2,
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
  assert.deepEqual(second.payload.bounds, [], 'no bound reported');

  const down = run({ payload: 'ECONNREFUSED', statusCode: undefined, error: { message: 'connect ECONNREFUSED' } }) as any;
  assert.equal(down.payload.ok, false);
  assert.match(down.payload.reasons[0], /ECONNREFUSED/);
});

test('system figures: what every bound dropped, from health figures, iot_bound_dropped_total and the dashboard', () => {
  const flow = new Map<string, unknown>();
  const fleet = functionNode('fn-device-state', { flow, env: { DASHBOARD_MAX_DEVICES: '1' } });
  fleet(reading('a', { t: 1 }));
  fleet(reading('b', { t: 1 }));
  const run = functionNode('fn-system-state', { flow });
  const out = run({
    statusCode: 200,
    payload: {
      status: 'ready',
      reasons: [],
      brokers: {},
      components: { ta: { kind: 'threshold-alert', ok: true, detail: 'ok', figures: { active: 3, dropped_maxDevices: 7, dropped_maxAlerts: 0 }, updated: 1 } },
      counters: { iot_bound_dropped_total: 12, 'iot_bound_dropped_total{node=influxdb-writer,bound=maxSeriesPerDevice}': 5 },
    },
  }) as any;
  assert.deepEqual(out.payload.bounds, [
    { source: 'ta', kind: 'threshold-alert', bound: 'maxDevices', dropped: 7 },
    { source: 'metrics', kind: 'influxdb-writer', bound: 'maxSeriesPerDevice', dropped: 5 },
    { source: 'dashboard', kind: 'fleet state', bound: 'DASHBOARD_MAX_DEVICES', dropped: 1 },
    { source: 'ta', kind: 'threshold-alert', bound: 'maxAlerts', dropped: 0 },
  ]);
});

test('the health URL uses the app port', () => {
  const run = functionNode('fn-health-url', { env: { PORT: '4321' } });
  assert.equal((run({}) as any).url, 'http://127.0.0.1:4321/health/ready');
});
