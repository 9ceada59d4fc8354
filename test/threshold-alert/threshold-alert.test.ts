/**
 * threshold-alert in the Node-RED test helper: fire / ack / resolve through
 * messages, validation errors to a Catch node, run-time rules, list, and
 * restart / redeploy with the same DATA_DIR (no re-fire, nothing forgotten).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { tempDir } from '../support/services';

const DATA = tempDir('threshold-alert');
process.env.DATA_DIR = DATA;

import { metrics } from '../../nodes/common/metrics';
import { helper, load, nodeModule } from '../support/red';

const catchNode = require('@node-red/nodes/core/common/25-catch.js');
const nodes = [nodeModule('threshold-alert'), catchNode];

const RULES = [
  { id: 'hot', name: 'Hot', metric: 'temperature', operator: '>', threshold: 25, clear: 24, severity: 'warning', deviceId: 'ruuvi_*' },
  { id: 'slow', metric: 'humidity', operator: '>', threshold: 80, for: 3, severity: 'info' },
  { id: 'motion', kind: 'event', eventType: 'motion_detected', whileArmed: true, severity: 'critical' },
];

function flow(nodeId = 'ta', extra: Record<string, unknown> = {}): unknown[] {
  return [
    { id: 'tab', type: 'tab', label: 'alerts' },
    {
      id: nodeId,
      z: 'tab',
      type: 'threshold-alert',
      name: 'alerts',
      rules: JSON.stringify(RULES),
      tickSeconds: 0.1,
      ...extra,
      wires: [['alerts'], ['readings']],
    },
    { id: 'alerts', z: 'tab', type: 'helper' },
    { id: 'readings', z: 'tab', type: 'helper' },
    { id: 'catcher', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'tab', type: 'helper' },
  ];
}

/** Every message a helper node receives from now on. */
function record(id: string): any[] {
  const got: any[] = [];
  helper.getNode(id).on('input', (m: unknown) => got.push(m));
  return got;
}

async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const reading = (deviceId: string, m: Record<string, number>, event?: { id: string; type: string }) => ({
  topic: `sensors/${deviceId}/x`,
  payload: { deviceId, sensorType: 'ruuvi', ts: Date.now(), metrics: m, received: Date.now(), ...(event ? { event } : {}) },
});

interface Ports {
  alerts: any[];
  readings: any[];
  caught: any[];
}
async function start(nodeId = 'ta', extra: Record<string, unknown> = {}): Promise<Ports> {
  await load(nodes, flow(nodeId, extra));
  return { alerts: record('alerts'), readings: record('readings'), caught: record('caught') };
}
const send = (msg: unknown, nodeId = 'ta') => helper.getNode(nodeId).receive(msg);
const stateFile = (nodeId: string) => path.join(DATA, 'alerts', `${nodeId}.json`);

before(() => new Promise<void>((r) => helper.startServer(() => r())));
afterEach(() => helper.unload());
after(async () => {
  await new Promise<void>((r) => helper.stopServer(() => r()));
  fs.rmSync(DATA, { recursive: true, force: true });
});

async function metricValue(
  metric: { get(): Promise<{ values: Array<{ value: number; labels: Record<string, unknown> }> }> },
  severity: string,
): Promise<number> {
  return (await metric.get()).values.find((v) => v.labels.severity === severity)?.value ?? 0;
}

/** Records the statuses a node shows from now on. */
function statuses(nodeId: string): Array<{ fill?: string; text?: string }> {
  const node = helper.getNode(nodeId);
  const seen: Array<{ fill?: string; text?: string }> = [];
  const original = node.status.bind(node);
  node.status = (s: { fill?: string; text?: string }) => {
    seen.push(s);
    original(s);
  };
  return seen;
}

test('fire, acknowledge and resolve through messages; verdicts on output 2; metrics and status', async () => {
  const p = await start('n-fire');
  const shown = statuses('n-fire');
  const firedBefore = await metricValue(metrics.alertsFired, 'warning');
  const activeBefore = await metricValue(metrics.alertsActive, 'warning');
  send(reading('ruuvi_01', { temperature: 22 }), 'n-fire');
  await until('reading passed through', () => p.readings.length === 1);
  assert.deepEqual(p.readings[0].verdicts, [{ ruleId: 'hot', state: 'ok' }]);
  assert.equal(p.readings[0].topic, 'sensors/ruuvi_01/x', 'the reading keeps its topic');

  send(reading('ruuvi_01', { temperature: 26.5 }), 'n-fire');
  await until('fired', () => p.alerts.length === 1);
  const fired = p.alerts[0];
  assert.equal(fired.topic, 'alert/firing');
  assert.equal(fired.event, 'fired');
  assert.deepEqual(
    [fired.payload.ruleId, fired.payload.deviceId, fired.payload.value, fired.payload.threshold, fired.payload.severity],
    ['hot', 'ruuvi_01', 26.5, 25, 'warning'],
  );
  assert.equal(fired.payload.title, 'Hot on ruuvi_01');
  assert.equal(await metricValue(metrics.alertsFired, 'warning'), firedBefore + 1);
  assert.equal(await metricValue(metrics.alertsActive, 'warning'), activeBefore + 1);
  assert.deepEqual(shown[shown.length - 1], { fill: 'green', shape: 'dot', text: '1 firing, 0 acked' });

  send({ topic: 'ack', payload: { alertId: fired.payload.id, by: 'alice', reason: 'checking the fan' } }, 'n-fire');
  await until('acknowledged', () => p.alerts.length === 2);
  assert.deepEqual(
    [p.alerts[1].topic, p.alerts[1].event, p.alerts[1].by, p.alerts[1].reason, p.alerts[1].payload.acknowledgedBy],
    ['alert/acknowledged', 'acknowledged', 'alice', 'checking the fan', 'alice'],
  );
  assert.equal(shown[shown.length - 1].text, '0 firing, 1 acked');

  send({ topic: 'ui', payload: { action: 'resolve', alertId: fired.payload.id, by: 'bob', reason: 'fan replaced' } }, 'n-fire');
  await until('resolved', () => p.alerts.length === 3);
  assert.deepEqual([p.alerts[2].topic, p.alerts[2].event, p.alerts[2].by, p.alerts[2].payload.id], ['alert/resolved', 'resolved', 'bob', fired.payload.id]);
  assert.equal(await metricValue(metrics.alertsActive, 'warning'), activeBefore);

  send({ topic: 'list' }, 'n-fire');
  await until('list answer', () => p.alerts.length === 4);
  const { active, history, armed } = p.alerts[3].payload;
  assert.equal(armed, false);
  assert.deepEqual(active, []);
  assert.deepEqual(
    history.map((h: any) => [h.event, h.by ?? null]),
    [
      ['pending', null],
      ['fired', null],
      ['acknowledged', 'alice'],
      ['resolved', 'bob'],
    ],
  );
  assert.deepEqual(p.caught, []);
});

test('bad ack, bad reading and bad rules reach the Catch node with clear errors; nothing changes', async () => {
  const p = await start('n-bad');
  send({ topic: 'ack', payload: { alertId: 'nope' } }, 'n-bad');
  send({ topic: 'resolve', payload: { alertId: 'nope', by: 'x' } }, 'n-bad');
  send({ payload: { deviceId: 'd' } }, 'n-bad');
  send(
    {
      topic: 'rules',
      payload: [
        { id: 'a', metric: 't', operator: '>>', threshold: 1 },
        { id: 'a', kind: 'event' },
      ],
    },
    'n-bad',
  );
  await until('four errors', () => p.caught.length === 4);
  const texts = p.caught.map((m) => m.error.message);
  assert.match(texts[0], /ack: payload\.by is required/);
  assert.match(texts[1], /no active alert with id nope/);
  assert.match(texts[2], /payload is not a Reading: sensorType must be a string; metrics must be an object/);
  assert.match(texts[3], /rules\[0\]\.operator: must be one of .*rules\[1\]\.id: duplicate "a".*rules\[1\]\.eventType: is required/);
  send(reading('ruuvi_02', { temperature: 30 }), 'n-bad');
  await until('old rules still apply', () => p.alerts.length === 1);
  assert.equal(p.alerts[0].payload.ruleId, 'hot');
});

test("a batch of Readings (the normalizer's output 3) is evaluated in order, as one by one; bad items reach Catch, the rest still count", async () => {
  const p = await start('n-batch');
  const r = (id: string, t: number) => reading(id, { temperature: t }).payload;
  send({ topic: 'readings', payload: [r('ruuvi_10', 26), r('ruuvi_11', 20), { deviceId: 'x' }, r('ruuvi_10', 23), r('ruuvi_12', 30)] }, 'n-batch');
  await until('batch passed through', () => p.readings.length === 1);
  assert.equal(p.readings[0].verdicts.length, 4, 'one verdict list per good Reading');
  assert.deepEqual(p.readings[0].verdicts[1], [{ ruleId: 'hot', state: 'ok' }]);
  await until('transitions', () => p.alerts.length === 3);
  // ruuvi_10 fired and cleared within the batch (23 is below clear 24); ruuvi_12 fired.
  assert.deepEqual(
    p.alerts.map((a) => [a.event, a.payload.deviceId]),
    [
      ['fired', 'ruuvi_10'],
      ['resolved', 'ruuvi_10'],
      ['fired', 'ruuvi_12'],
    ],
  );
  await until('the bad item reported', () => p.caught.length === 1);
  assert.match(p.caught[0].error.message, /1 of 5 items are not Readings: payload\[2\]: is not a Reading: sensorType must be a string/);
});

test('rules replaced at run time apply at once, resolve alerts of removed rules and survive a restart', async () => {
  let p = await start('n-rules');
  send(reading('ruuvi_03', { temperature: 30 }), 'n-rules');
  await until('fired', () => p.alerts.length === 1);
  send({ topic: 'rules', payload: [{ id: 'cold', metric: 'temperature', operator: '<', threshold: 5, severity: 'critical' }] }, 'n-rules');
  await until('resolved by rule removal', () => p.alerts.length === 2);
  assert.deepEqual([p.alerts[1].event, p.alerts[1].reason], ['resolved', 'rule removed']);
  send(reading('ruuvi_03', { temperature: 2 }), 'n-rules');
  await until('new rule fires', () => p.alerts.length === 3);
  assert.equal(p.alerts[2].payload.ruleId, 'cold');

  await helper.unload();
  p = await start('n-rules');
  send(reading('ruuvi_04', { temperature: 1 }), 'n-rules');
  await until('run-time rules kept after restart', () => p.alerts.length === 1);
  assert.equal(p.alerts[0].payload.ruleId, 'cold');

  await helper.unload();
  p = await start('n-rules', { rules: JSON.stringify([RULES[0]]) });
  send(reading('ruuvi_05', { temperature: 1 }), 'n-rules');
  send(reading('ruuvi_05', { temperature: 30 }), 'n-rules');
  await until('dialog rules win once edited', () => p.readings.length === 2 && p.alerts.some((a) => a.event === 'fired'));
  assert.deepEqual(
    p.alerts.filter((a) => a.event === 'fired').map((a) => a.payload.ruleId),
    ['hot'],
  );
  assert.deepEqual(p.readings[0].verdicts, [{ ruleId: 'hot', state: 'ok' }], 'the run-time rule "cold" is gone');
});

test('restart: a firing alert is not re-fired, an acknowledged one stays acknowledged, pending resumes, armed is kept', async () => {
  let p = await start('n-restart');
  send({ topic: 'arm', payload: true }, 'n-restart');
  send(reading('ruuvi_01', { temperature: 30 }), 'n-restart');
  send(reading('ruuvi_02', { temperature: 31 }), 'n-restart');
  send(reading('pi-1', { humidity: 90 }), 'n-restart');
  await until('two fired', () => p.alerts.length === 2);
  const [a1, a2] = p.alerts.map((m) => m.payload);
  send({ topic: 'ack', payload: { ruleId: 'hot', deviceId: 'ruuvi_02', by: 'alice' } }, 'n-restart');
  await until('acknowledged', () => p.alerts.length === 3);
  await helper.unload();
  const saved = JSON.parse(fs.readFileSync(stateFile('n-restart'), 'utf8'));
  assert.deepEqual(saved.alerts.map((a: any) => [a.deviceId, a.state]).sort(), [
    ['pi-1', 'pending'],
    ['ruuvi_01', 'firing'],
    ['ruuvi_02', 'acknowledged'],
  ]);
  assert.equal(saved.armed, true);

  p = await start('n-restart');
  send(reading('ruuvi_01', { temperature: 32 }), 'n-restart');
  send(reading('ruuvi_02', { temperature: 33 }), 'n-restart');
  send(reading('raspberry-01', {}, { id: 'e1', type: 'motion_detected' }), 'n-restart');
  await until('pending humidity alert fires from its stored start', () => p.alerts.some((m) => m.payload.ruleId === 'slow'), 15_000);
  await sleep(500);
  assert.deepEqual(
    p.alerts.map((m) => [m.event, m.payload.ruleId, m.payload.deviceId]).sort(),
    [
      ['fired', 'motion', 'raspberry-01'],
      ['fired', 'slow', 'pi-1'],
    ],
    'nothing re-fired; still armed',
  );
  assert.deepEqual(
    p.readings.slice(0, 2).map((m) => m.verdicts),
    [[{ ruleId: 'hot', state: 'firing' }], [{ ruleId: 'hot', state: 'acknowledged' }]],
  );

  send({ topic: 'list' }, 'n-restart');
  await until('list', () => p.alerts.some((m) => m.topic === 'list'));
  const list = p.alerts.find((m) => m.topic === 'list').payload;
  assert.deepEqual(
    list.active
      .map((a: any) => a.id)
      .filter((id: string) => id === a1.id || id === a2.id)
      .sort(),
    [a1.id, a2.id].sort(),
  );
  assert.ok(list.history.length >= 7, 'history kept across the restart');
  send({ topic: 'resolve', payload: { alertId: a2.id, by: 'alice', reason: 'after restart' } }, 'n-restart');
  await until('resolve after restart', () => p.alerts.some((m) => m.event === 'resolved'));
  assert.deepEqual(p.caught, []);
});

test('redeploy of a changed node keeps its alerts without re-firing', async () => {
  const p = await start('n-redeploy');
  send(reading('ruuvi_09', { temperature: 30 }), 'n-redeploy');
  await until('fired', () => p.alerts.length === 1);
  try {
    await helper.setFlows(flow('n-redeploy', { name: 'renamed' }), 'nodes');
  } catch (err) {
    // The helper waits only 300 ms for flows:started; a busy machine can be slower.
    if (!/timeout waiting event/.test((err as Error).message)) throw err;
  }
  await until('node restarted', () => helper.getNode('n-redeploy')?.name === 'renamed');
  const again = { alerts: record('alerts'), readings: record('readings') };
  send(reading('ruuvi_09', { temperature: 31 }), 'n-redeploy');
  await until('reading after redeploy', () => again.readings.length === 1);
  await sleep(300);
  assert.deepEqual(again.readings[0].verdicts, [{ ruleId: 'hot', state: 'firing' }]);
  assert.equal(again.alerts.length, 0, 'no re-fire after redeploy');
  send(reading('ruuvi_09', { temperature: 20 }), 'n-redeploy');
  await until('resolved', () => again.alerts.length === 1);
  assert.equal(again.alerts[0].payload.id, p.alerts[0].payload.id, 'same alert, not a new one');
});

test('an invalid rules setting shows a red status and refuses input via Catch', async () => {
  const p = await start('n-badcfg', { rules: '[{"id":"x"}]' });
  send(reading('ruuvi_01', { temperature: 30 }), 'n-badcfg');
  await until('error', () => p.caught.length === 1);
  assert.match(p.caught[0].error.message, /rules\[0\]\.metric: is required/);
  assert.deepEqual(p.alerts, []);
});

test('when the state file cannot be written the status turns yellow and health says why', async () => {
  fs.mkdirSync(path.join(stateFile('n-ro'), 'blocker'), { recursive: true });
  const p = await start('n-ro');
  const shown = statuses('n-ro');
  send(reading('ruuvi_01', { temperature: 30 }), 'n-ro');
  await until('fired', () => p.alerts.length === 1);
  await until('degraded status', () => shown.some((s) => s.fill === 'yellow'));
  assert.match(shown.find((s) => s.fill === 'yellow')!.text ?? '', /^state not saved: /);
  const { healthSnapshot } = require('../../nodes/common/health');
  const h = healthSnapshot()['n-ro'];
  assert.deepEqual([h.kind, h.ok, h.figures.firing], ['threshold-alert', false, 1]);
  assert.equal(p.caught.length, 0, 'a save failure does not fail the message');
});

test('a fleet going silent beyond maxAlerts: alerts up to the bound, the rest counted in metrics and health, and no re-fire after a restart', async () => {
  const silent = JSON.stringify([{ id: 'silent', kind: 'staleness', after: 1, severity: 'warning' }]);
  const extra = { rules: silent, maxAlerts: 1500, maxDevices: 5000, configVersion: 2 };
  const p = await start('n-fleet', extra);
  const droppedBefore = (await metrics.boundDropped.get()).values.find((v) => v.labels.bound === 'maxAlerts')?.value ?? 0;
  for (let i = 0; i < 2000; i++) send(reading(`dev-${i}`, { temperature: 20 }), 'n-fleet');
  await until('2000 readings', () => p.readings.length === 2000);
  await until('1500 alerts fired', () => p.alerts.length === 1500, 15_000);
  await sleep(300);
  assert.equal(p.alerts.length, 1500, 'no more than the bound');
  assert.ok(p.alerts.every((m) => m.event === 'fired'));
  const droppedAfter = (await metrics.boundDropped.get()).values.find((v) => v.labels.bound === 'maxAlerts')?.value ?? 0;
  assert.equal(droppedAfter - droppedBefore, 500, 'each device without room counted once');
  const { healthSnapshot } = require('../../nodes/common/health');
  await until('health shows the drops', () => healthSnapshot()['n-fleet'].figures.dropped_maxAlerts >= 500, 3000);
  const h = healthSnapshot()['n-fleet'];
  assert.deepEqual([h.figures.firing, h.figures.devices, h.figures.dropped_maxAlerts, h.figures.dropped_maxDevices], [1500, 2000, 500, 0]);

  await helper.unload();
  const again = await start('n-fleet', extra);
  await sleep(500);
  assert.deepEqual(again.alerts, [], 'restored alerts are not announced again');
  assert.equal(healthSnapshot()['n-fleet'].figures.firing, 1500);
});
