/** The API's flow tap: hooked only while needed, throttle, dedupe, command owners. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FlowTap } from '../../../app/api/events';
import type { Command } from '../../../nodes/common/types';

function fakeHooks() {
  const hooks = new Map<string, (events: never) => unknown>();
  return {
    hooks,
    add: (name: string, fn: (e: never) => unknown) => {
      hooks.set(name, fn);
    },
    remove: (name: string) => {
      hooks.delete(name);
    },
  };
}
const from = (type: string, msg: Record<string, unknown>, id = 'n1') => ({ msg, source: { id, node: { type } } });
const reading = (deviceId: string, extra: Record<string, unknown> = {}) => ({ deviceId, sensorType: 't', ts: 1, metrics: { t: 1 }, ...extra });

test('the tap registers its hook only while a client listens or a command is open', () => {
  const h = fakeHooks();
  let now = 0;
  const tap = new FlowTap({ hooks: h }, {}, () => now);
  assert.equal(h.hooks.size, 0);
  const off = tap.subscribe(() => undefined);
  assert.equal(h.hooks.size, 1);
  off();
  assert.equal(h.hooks.size, 0, 'gone with the last client');
  const cmd: Command = { id: 'c1', deviceId: 'd', action: 'move', params: {}, createdAt: 0, expiresAt: 10_000, status: 'sent' };
  tap.track(cmd, 'server');
  assert.equal(h.hooks.size, 1, 'an open command keeps it');
  // A device-mode node's status for the same id does not move the command; its own node's does.
  tap.onSend([from('servo-command', { topic: 'commands/d/servo/status', payload: { id: 'c1', status: 'failed' } }, 'device')] as never);
  assert.equal(tap.commands.get('c1')?.status, 'sent');
  tap.onSend([from('servo-command', { topic: 'commands/d/servo/status', payload: { ...cmd, status: 'executed' } }, 'server')] as never);
  assert.equal(tap.commands.get('c1')?.status, 'executed');
  assert.equal(h.hooks.size, 0, 'gone once the command is final');
  now = 100_000;
  tap.track({ ...cmd, id: 'c2', expiresAt: 1 }, 'server');
  assert.equal(h.hooks.size, 0, 'a command past its expiry is not waited for');
});

test('readings are throttled per device, events deduplicated, other node types ignored', () => {
  const h = fakeHooks();
  let now = 0;
  const tap = new FlowTap({ hooks: h }, { readingIntervalMs: 1000 }, () => now);
  const got: Array<[string, unknown]> = [];
  tap.subscribe((type, data) => got.push([type, data]));
  const batch = { payload: [reading('a'), reading('a'), reading('b')] };
  tap.onSend([from('payload-normalizer', batch), from('payload-normalizer', batch)] as never);
  assert.deepEqual(
    got.map(([t, d]) => `${t}:${(d as { deviceId: string }).deviceId}`),
    ['reading:a', 'reading:b'],
  );
  now = 999;
  tap.onSend([from('payload-normalizer', { payload: reading('a') })] as never);
  assert.equal(got.length, 2);
  now = 1000;
  tap.onSend([from('payload-normalizer', { payload: reading('a') })] as never);
  assert.equal(got.length, 3);
  const motion = reading('cam', { event: { id: 'e1', type: 'motion' } });
  tap.onSend([from('payload-normalizer', { payload: motion })] as never);
  tap.onSend([from('payload-normalizer', { payload: [motion] })] as never);
  assert.deepEqual(
    got.slice(3).map(([t]) => t),
    ['motion'],
  );
  tap.onSend([from('function', { payload: reading('z') }), from('mqtt in', { payload: reading('y') })] as never);
  assert.equal(got.length, 4);
  tap.onSend([from('threshold-alert', { topic: 'alert/firing', event: 'fired', payload: { id: 'x' } })] as never);
  assert.deepEqual(got[4], ['alert', { event: 'fired', alert: { id: 'x' }, by: undefined, reason: undefined }]);
});
