import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deviceView, FleetDevice, isFleet, isOnline, latestMetrics } from '../../../app/api/fleet';

const dev = (d: Partial<FleetDevice> = {}): FleetDevice => ({
  deviceId: 'd1',
  sensorTypes: ['env'],
  metrics: { temperature: { v: 20, u: '°C', ts: 1000, st: 'env' } },
  lastSeen: 1000,
  ...d,
});

test('fleet: a fleet is an object whose devices is a Map (from any realm)', () => {
  assert.equal(isFleet({ devices: new Map() }), true);
  assert.equal(isFleet({ devices: {} }), false);
  assert.equal(isFleet(null), false);
  assert.equal(isFleet('fleet'), false);
});

test('fleet: latest metrics are the merged ones, overridden by pending then latest readings', () => {
  assert.deepEqual(latestMetrics(dev()), { temperature: { value: 20, unit: '°C', ts: 1000, sensorType: 'env' } });
  const d = dev({
    pending: [{ metrics: { temperature: 21, humidity: 40, bad: 'x' }, units: { humidity: '%' }, ts: 2000, sensorType: 'env' }],
    latest: { temperature: { metrics: { temperature: 22 }, units: { temperature: '°C' }, ts: 3000 }, nan: { metrics: { nan: Number.NaN } } },
  });
  assert.deepEqual(latestMetrics(d), {
    temperature: { value: 22, unit: '°C', ts: 3000, sensorType: '' },
    humidity: { value: 40, unit: '%', ts: 2000, sensorType: 'env' },
  });
});

test('fleet: online by availability when the device announces it, else by silence', () => {
  assert.equal(isOnline(dev({ lastSeen: 1000 }), 60_000, 120_000), true);
  assert.equal(isOnline(dev({ lastSeen: 1000 }), 200_000, 120_000), false);
  assert.equal(isOnline(dev({ lastSeen: 1000, avail: 'online' }), 999_999, 1), true, 'announced online, however long ago');
  assert.equal(isOnline(dev({ lastSeen: 1000, avail: 'offline' }), 1000, 120_000), false);
});

test('fleet: device view copies what the API shows', () => {
  const d = dev({ avail: 'offline', availAt: 900, lastEvent: { type: 'button_pressed', ts: 950 } });
  const v = deviceView(d, 1000, 120_000);
  assert.deepEqual(v, {
    deviceId: 'd1',
    sensorTypes: ['env'],
    lastSeen: 1000,
    online: false,
    onlineSource: 'availability',
    availabilityAt: 900,
    lastEvent: { type: 'button_pressed', ts: 950 },
    metrics: { temperature: { value: 20, unit: '°C', ts: 1000, sensorType: 'env' } },
  });
  assert.notEqual(v.sensorTypes, d.sensorTypes, 'a copy, not the fleet state itself');
  assert.deepEqual(Object.keys(deviceView(dev(), 1000, 1)).sort(), ['deviceId', 'lastSeen', 'metrics', 'online', 'onlineSource', 'sensorTypes']);
});
