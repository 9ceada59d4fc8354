/**
 * The dashboard's fleet and alert functions (from dashboards/dashboard.json)
 * with the device registry in global context `iotRegistry`: tiles, alerts,
 * history and the critical pop-up carry name and location, a registry change
 * resends them, and without a registry nothing changes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeviceRegistry } from '../../nodes/common/device-registry';
import { functionNode } from './flow-functions';

const tick = { topic: 'tick', payload: 0 };
const reading = (deviceId: string) => ({
  payload: { deviceId, sensorType: 'environmental', ts: Date.now(), received: Date.now(), metrics: { temperature: 20 } },
});
const alert = (over: Record<string, unknown> = {}) => ({
  id: 'a1',
  ruleId: 'motion-armed',
  deviceId: 'cam-1',
  metric: 'motion',
  value: 1,
  threshold: null,
  severity: 'critical',
  state: 'firing',
  since: Date.now(),
  title: 'Motion while armed on cam-1',
  text: 'motion',
  ...over,
});

test('tiles carry the registry name and location; a registry change resends them without a reading', () => {
  const registry = new DeviceRegistry();
  registry.set('cam-1', { name: 'Front door', location: 'Entrance' });
  const run = functionNode('fn-device-state', { global: new Map([['iotRegistry', registry]]) });
  run(reading('cam-1'));
  run(reading('ruuvi-7'));
  const [out] = run(tick) as any[];
  const tiles = Object.fromEntries(out.payload.devices.map((d: any) => [d.deviceId, d]));
  assert.deepEqual([tiles['cam-1'].name, tiles['cam-1'].location], ['Front door', 'Entrance']);
  assert.equal(tiles['ruuvi-7'].name, undefined, 'a device not registered has no name (the tile shows its id)');
  assert.equal(run(tick), null, 'nothing changed');
  registry.set('ruuvi-7', { name: 'Fridge', location: 'Kitchen' });
  const [again] = run(tick) as any[];
  assert.ok(again, 'the registry change is sent on the next tick');
  assert.equal(again.payload.devices.find((d: any) => d.deviceId === 'ruuvi-7').location, 'Kitchen');
});

test('a plain object in iotRegistry (set by a flow) works too; no registry at all leaves tiles as they were', () => {
  const run = functionNode('fn-device-state', { global: new Map<string, unknown>([['iotRegistry', { 'cam-1': { name: 'Gate', location: 'Drive' } }]]) });
  run(reading('cam-1'));
  const [out] = run(tick) as any[];
  assert.deepEqual([out.payload.devices[0].name, out.payload.devices[0].location], ['Gate', 'Drive']);
  const bare = functionNode('fn-device-state');
  bare(reading('cam-1'));
  const [plain] = bare(tick) as any[];
  assert.equal(plain.payload.devices[0].deviceId, 'cam-1');
  assert.ok(!('name' in plain.payload.devices[0]) && !('location' in plain.payload.devices[0]), 'no registry: no name fields');
});

test('active alerts, the history and the critical pop-up carry the device name and location', () => {
  const registry = new DeviceRegistry();
  registry.set('cam-1', { name: 'Front door', location: 'Entrance' });
  const run = functionNode('fn-alerts-state', { global: new Map([['iotRegistry', registry]]) });
  run({ payload: alert(), event: 'fired' });
  run({ payload: alert({ id: 'a2', deviceId: 'cam-2', severity: 'warning', title: 'Motion on cam-2' }), event: 'fired' });
  const [active, history, popup] = run(tick) as any[];
  const byId = Object.fromEntries(active.payload.active.map((a: any) => [a.id, a]));
  assert.deepEqual([byId.a1.deviceName, byId.a1.deviceLocation], ['Front door', 'Entrance']);
  assert.equal(byId.a2.deviceName, undefined);
  assert.equal(history.payload.history.find((h: any) => h.alertId === 'a1').deviceLocation, 'Entrance');
  assert.match(popup.payload, /^<b>Critical: Motion while armed on cam-1 – Front door, Entrance<\/b>/);
  const stored = run.flow.get('alerts') as any;
  assert.equal(stored.active.a1.deviceName, undefined, 'names are added to what is sent, not kept in the alert state');
  assert.equal(run(tick), null);
  registry.set('cam-2', { name: 'Garage' });
  const [resent] = run(tick) as any[];
  assert.equal(resent.payload.active.find((a: any) => a.id === 'a2').deviceName, 'Garage', 'a registry change resends the list');
});
