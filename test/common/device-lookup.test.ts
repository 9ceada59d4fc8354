/** deviceInfo reads whatever iotRegistry holds; deviceLabel is how people read a device. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deviceInfo, deviceLabel } from '../../nodes/common/device-lookup';

const entry = { name: 'Boiler room', location: 'Basement', type: 'dht22', owner: 'ops' };

test('from an object with get(id) (the registry) and from a plain object a flow set', () => {
  const registry = { get: (id: string) => (id === 'pi-1' ? entry : undefined) };
  assert.deepEqual(deviceInfo(registry, 'pi-1'), { id: 'pi-1', ...entry });
  assert.equal(deviceInfo(registry, 'pi-2'), undefined);
  assert.deepEqual(deviceInfo({ 'pi-1': { name: 'Boiler room' } }, 'pi-1'), { id: 'pi-1', name: 'Boiler room', location: '', type: '', owner: '' });
});

test('unknown, inherited, thrown or malformed entries give undefined', () => {
  assert.equal(deviceInfo(undefined, 'x'), undefined);
  assert.equal(deviceInfo('registry', 'x'), undefined);
  assert.equal(deviceInfo({}, 'toString'), undefined, 'not an own property');
  assert.equal(deviceInfo({ x: 'a string' }, 'x'), undefined);
  assert.equal(deviceInfo({ x: ['a'] }, 'x'), undefined);
  const throwing = {
    get: () => {
      throw new Error('registry closed');
    },
  };
  assert.equal(deviceInfo(throwing, 'x'), undefined);
  assert.equal(deviceInfo({ x: entry }, 42 as unknown as string), undefined);
});

test('texts from a flow: control characters become spaces, long ones cut at 200, non-strings empty', () => {
  const info = deviceInfo({ x: { name: ' Line\nbreak\u0007 ', location: 'L'.repeat(300), type: 5 } }, 'x')!;
  assert.equal(info.name, 'Line break');
  assert.equal(info.location.length, 200);
  assert.equal(info.type, '');
});

test('deviceLabel: name (id) · location, parts left out when not set', () => {
  assert.equal(deviceLabel('pi-1', { id: 'pi-1', ...entry }), 'Boiler room (pi-1) · Basement');
  assert.equal(deviceLabel('pi-1', { id: 'pi-1', ...entry, location: '' }), 'Boiler room (pi-1)');
  assert.equal(deviceLabel('pi-1', { id: 'pi-1', ...entry, name: '' }), 'pi-1 · Basement');
  assert.equal(deviceLabel('pi-1'), 'pi-1');
});
