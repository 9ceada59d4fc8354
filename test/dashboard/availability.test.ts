/**
 * The fleet state (dashboards/src/functions/device-state.js, run from
 * dashboard.json) and the API's device view (app/api/fleet.ts) judge online
 * the same way: by the last availability Reading when the device has one,
 * by silence (OFFLINE_AFTER_S) when it has none.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deviceView, type FleetDevice } from '../../app/api/fleet';
import { functionNode } from './flow-functions';

const data = (deviceId: string, metrics: Record<string, number> = { temperature: 21 }) => ({
  payload: { deviceId, sensorType: 'zigbee', ts: Date.now(), received: Date.now(), metrics },
});
const avail = (deviceId: string, online: boolean) => ({
  payload: [
    {
      deviceId,
      sensorType: 'availability',
      ts: Date.now(),
      received: Date.now(),
      metrics: { online: online ? 1 : 0 },
      tags: { status: online ? 'online' : 'offline' },
    },
  ],
});
const tick = { topic: 'tick', payload: 0 };

test('availability: offline when it says so, online again on online or data; silence only without it', () => {
  const run = functionNode('fn-device-state');
  run(data('lamp'));
  run(data('ruuvi-1'));
  run(avail('lamp', false));
  let [out] = run(tick) as any[];
  const tile = (id: string) => out.payload.devices.find((d: any) => d.deviceId === id);
  assert.equal(out.payload.offline, 1, 'the summary counts the announced offline device');
  assert.equal(tile('lamp').avail, 'offline');
  assert.equal(tile('ruuvi-1').avail, undefined);
  assert.equal(tile('lamp').metrics.online, undefined, 'availability is the badge, not a metric tile row');
  assert.deepEqual(tile('lamp').sensorTypes, ['zigbee']);
  const api = (id: string) => deviceView((run.flow.get('fleet') as any).devices.get(id) as FleetDevice, Date.now(), 120_000);
  assert.deepEqual([api('lamp').online, api('lamp').onlineSource], [false, 'availability']);
  assert.deepEqual([api('ruuvi-1').online, api('ruuvi-1').onlineSource], [true, 'silence']);

  run(avail('lamp', true));
  [out] = run(tick) as any[];
  assert.equal(out.payload.offline, 0);
  assert.equal(tile('lamp').avail, 'online');
  assert.equal(api('lamp').online, true);

  // Silent past OFFLINE_AFTER_S: the device with an availability topic stays online (it said so), the other goes offline.
  const fleet = run.flow.get('fleet') as any;
  for (const d of fleet.devices.values()) d.lastSeen = Date.now() - 300_000;
  run.flow.set('fleet', fleet);
  [out] = run(tick) as any[];
  assert.equal(out.payload.offline, 1);
  assert.equal(api('lamp').online, true);
  assert.equal(api('ruuvi-1').online, false);

  // Offline, then data: online again.
  run(avail('lamp', false));
  [out] = run(tick) as any[];
  assert.equal(tile('lamp').avail, 'offline');
  run(data('lamp', { linkquality: 90 }));
  [out] = run(tick) as any[];
  assert.equal(tile('lamp').avail, 'online');
  assert.equal(tile('lamp').metrics.linkquality.v, 90);
});

test('a device first heard of through an offline announcement has a tile, offline, with a last-seen time', () => {
  const run = functionNode('fn-device-state');
  run(avail('plug-1', false));
  const [out] = run(tick) as any[];
  assert.equal(out.payload.total, 1);
  assert.equal(out.payload.offline, 1);
  assert.ok(Date.now() - out.payload.devices[0].lastSeen < 5000);
});
