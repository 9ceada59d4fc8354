/**
 * The activity-classifier node's pure part: Readings in -> activity / fall
 * Readings out (derive.ts), on the labelled set's signals.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import { parseConfig } from '../../nodes/activity/config';
import { ActivityDeriver } from '../../nodes/activity/derive';
import type { Reading } from '../../nodes/common/types';
import { labelledSet } from './labelled-set';

const reading = (deviceId: string, ts: number, x: number, y: number, z: number, sensorType = 'activity'): Reading => ({
  deviceId,
  sensorType,
  ts,
  metrics: { x, y, z },
  received: ts,
});
test('walking then a fall: activity Readings on changes and every emitSeconds, one fall event', () => {
  const d = new ActivityDeriver(parseConfig({ emitSeconds: 30 }));
  const set = labelledSet({ devices: 1, minutesPerDevice: 20, runs: 1, falls: 1, knockRate: 0 });
  const out = set.flatMap((s) => d.push(reading(s.deviceId, s.ts, s.x, s.y, s.z)));
  const acts = out.filter((r) => 'activity' in r.metrics);
  const falls = out.filter((r) => r.event?.type === 'fall');
  assert.equal(falls.length, 1, 'one fall');
  assert.equal(falls[0].sensorType, 'activity_state');
  assert.equal(falls[0].metrics.fall, 1);
  assert.ok(falls[0].metrics.peak_g >= 2.5, `peak ${falls[0].metrics.peak_g} g`);
  const names = new Set(acts.map((r) => r.tags?.activity_name));
  assert.ok(names.has('stationary') && names.has('running'), [...names].join(','));
  for (const r of acts) assert.equal(r.metrics.activity, { stationary: 0, walking: 1, running: 2 }[r.tags!.activity_name]);
  // 20 min of samples at 2 Hz: about one per 30 s plus the changes, far fewer than the 2,400 samples.
  assert.ok(acts.length >= 40 && acts.length < 200, `${acts.length} activity Readings`);
  const gaps = acts.slice(1).map((r, i) => r.ts - acts[i].ts);
  assert.ok(Math.max(...gaps) <= 30_500, `longest gap ${Math.max(...gaps)} ms`);
});

test('other sensor types pass, a late sample is skipped, a bad accelerometer Reading is an error', () => {
  const d = new ActivityDeriver(parseConfig({}));
  assert.deepEqual(d.push({ deviceId: 'ruuvi', sensorType: 'environment', ts: 1, metrics: { temperature: 20 }, received: 1 }), []);
  assert.equal(d.counts.skipped, 1);
  for (let i = 0; i < 6; i++) d.push(reading('a', 1000 + i * 500, 0, 0, 9.81));
  assert.deepEqual(d.push(reading('a', 1000, 0, 0, 9.81)), []);
  assert.equal(d.counts.outOfOrder, 1);
  assert.throws(() => d.push({ deviceId: 'a', sensorType: 'activity', ts: 9000, metrics: { x: 1, y: 2 }, received: 1 }), /needs finite metrics x, y and z/);
  // Empty sensor types: any Reading that has x, y and z.
  const any = new ActivityDeriver(parseConfig({ sensorTypes: '' }));
  assert.deepEqual(any.push({ deviceId: 'r', sensorType: 'environment', ts: 1, metrics: { temperature: 20 }, received: 1 }), []);
  let n = 0;
  for (let i = 0; i < 6; i++) n += any.push(reading('r', 1000 + i * 500, 0, 0, 9.81, 'imu')).length;
  assert.equal(n, 1, 'a first activity Reading once the window holds minSamples');
});

test('maxDevices bounds the devices followed', () => {
  const d = new ActivityDeriver(parseConfig({ maxDevices: 3 }));
  for (let i = 0; i < 10; i++) d.push(reading(`dev${i}`, 1000, 0, 0, 9.81));
  assert.equal(d.devices, 3);
  assert.equal(d.dropped, 7);
});
