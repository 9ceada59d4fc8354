import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canTransition, createCommand, parseAck, parseRequest } from '../../nodes/servo-command/command';
import { MinInterval } from '../../nodes/servo-command/min-interval';
import { DEFAULTS, parseConfig } from '../../nodes/servo-command/config';
import { execute, parseReceived } from '../../nodes/servo-command/device';
import { CommandTracker, Transition } from '../../nodes/servo-command/tracker';

const limits = { ...DEFAULTS, minAngle: 10, maxAngle: 170 };

test('parseRequest: directions, angles (clamped), sweep, and clear errors', () => {
  const table: Array<[unknown, unknown]> = [
    [{ direction: 'left' }, { action: 'move', params: { direction: 'left', angle: 170 } }],
    [{ direction: 'RIGHT' }, { action: 'move', params: { direction: 'right', angle: 10 } }],
    [{ direction: 'center' }, { action: 'move', params: { direction: 'center', angle: 90 } }],
    ['left', { action: 'move', params: { direction: 'left', angle: 170 } }],
    [{ angle: 45 }, { action: 'move', params: { angle: 45 } }],
    [{ angle: '45' }, { action: 'move', params: { angle: 45 } }],
    [120, { action: 'move', params: { angle: 120 } }],
    [{ angle: 200 }, { action: 'move', params: { angle: 170, requested: 200, clamped: true } }],
    [{ angle: -5 }, { action: 'move', params: { angle: 10, requested: -5, clamped: true } }],
    [{ action: 'sweep' }, { action: 'sweep', params: { from: 10, to: 170 } }],
    ['sweep', { action: 'sweep', params: { from: 10, to: 170 } }],
  ];
  for (const [input, want] of table) assert.deepEqual(parseRequest(input, limits), want, JSON.stringify(input));
  const bad: Array<[unknown, RegExp]> = [
    [{ direction: 'up' }, /direction must be left, right or center, got "up"/],
    [{ angle: 'ninety' }, /angle must be a number from 0 to 180, got "ninety"/],
    [{ angle: null }, /angle must be a number/],
    [{ action: 'dance' }, /action must be sweep/],
    [{}, /needs direction/],
    [null, /must be an object/],
  ];
  for (const [input, re] of bad) assert.throws(() => parseRequest(input, limits), re, JSON.stringify(input));
});

test('config validation names the field', () => {
  assert.equal(parseConfig({}).mode, 'server');
  assert.throws(() => parseConfig({ mode: 'both' }), /mode must be server or device/);
  assert.throws(() => parseConfig({ deviceId: 'a/b' }), /deviceId/);
  assert.throws(() => parseConfig({ topic: 'commands/servo' }), /must contain \{deviceId\}/);
  assert.throws(() => parseConfig({ topic: 'commands/#/x/{deviceId}' }), /topic:/);
  assert.throws(() => parseConfig({ minPulseUs: 2500, maxPulseUs: 500 }), /minPulseUs/);
  assert.throws(() => parseConfig({ maxPulseUs: 4000, periodNs: 3_000_000 }), /shorter than the period/);
  assert.throws(() => parseConfig({ rateLimitMs: -1 }), /rateLimitMs must be a number from 0/);
  assert.throws(() => parseConfig({ pwmRoot: 'sys/class/pwm' }), /absolute/);
  assert.equal(parseConfig({ deviceId: '${DEVICE_ID}' }, { DEVICE_ID: 'raspberry-01' }).deviceId, 'raspberry-01');
  assert.equal(parseConfig({ deviceId: '${DEVICE_ID}' }, {}).deviceId, '');
});

test('status machine moves only forward and never leaves a final state', () => {
  assert.equal(canTransition('sent', 'acknowledged'), true);
  assert.equal(canTransition('sent', 'executed'), true);
  assert.equal(canTransition('acknowledged', 'failed'), true);
  assert.equal(canTransition('acknowledged', 'sent'), false);
  assert.equal(canTransition('executed', 'failed'), false);
  assert.equal(canTransition('expired', 'executed'), false);
  assert.equal(canTransition('acknowledged', 'acknowledged'), false);
});

test('parseAck accepts objects, JSON strings and buffers; rejects the rest', () => {
  assert.deepEqual(parseAck({ id: 'c1', status: 'executed', angle: 90 }), { id: 'c1', status: 'executed', reason: undefined, angle: 90, ts: undefined });
  assert.equal(parseAck(Buffer.from('{"id":"c1","status":"failed","reason":"x"}'))?.reason, 'x');
  assert.equal(parseAck('{"id":"c1","status":"sent"}'), null);
  assert.equal(parseAck('nope'), null);
  assert.equal(parseAck({ status: 'executed' }), null);
});

test('MinInterval: one command per interval per device', () => {
  const rl = new MinInterval(500);
  assert.equal(rl.take('a', 1000), 0);
  assert.equal(rl.take('a', 1200), 300);
  assert.equal(rl.take('b', 1200), 0);
  assert.equal(rl.take('a', 1500), 0);
  assert.equal(new MinInterval(0).take('a', 1), 0);
});

test('tracker reports acks and expires commands without one', async () => {
  const seen: Transition[] = [];
  const tr = new CommandTracker((t) => seen.push(t));
  const a = { ...createCommand('pi', { action: 'move', params: { angle: 1 } }, Date.now(), 10), status: 'sent' as const };
  const b = { ...createCommand('pi', { action: 'move', params: { angle: 2 } }, Date.now(), 0.15), status: 'sent' as const };
  tr.track(a);
  tr.track(b);
  assert.equal(tr.applyAck({ id: a.id, status: 'acknowledged' }), true);
  assert.equal(tr.applyAck({ id: a.id, status: 'executed' }), true);
  assert.equal(tr.applyAck({ id: a.id, status: 'failed' }), false, 'final');
  assert.equal(tr.applyAck({ id: 'unknown', status: 'executed' }), false);
  for (let i = 0; i < 50 && tr.size > 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(
    seen.map((t) => `${t.command.id === a.id ? 'a' : 'b'}:${t.command.status}`),
    ['a:acknowledged', 'a:executed', 'b:expired'],
  );
  tr.clear();
});

test('device execute: ack, moves, executed; sweep goes min, max, center; expired commands fail', async () => {
  const moves: number[] = [];
  const servo = {
    moveTo: async (a: number) => {
      moves.push(a);
    },
  };
  const acks: string[] = [];
  const cmd = createCommand('pi', { action: 'sweep', params: {} }, Date.now(), 10);
  const rec = parseReceived(JSON.stringify(cmd), limits, Date.now());
  const last = await execute(servo, rec, { centerAngle: 90, sweepDwellMs: 1 }, (a) => acks.push(a.status));
  assert.deepEqual(moves, [10, 170, 90]);
  assert.deepEqual(acks, ['acknowledged', 'executed']);
  assert.equal(last.id, cmd.id);
  const seed = parseReceived('{"direction": "left"}', limits, Date.now());
  assert.match(seed.id, /^local-/);
  assert.deepEqual(seed.request.params, { direction: 'left', angle: 170 });
  const old = parseReceived({ ...cmd, action: 'move', params: { angle: 30 }, expiresAt: Date.now() - 1 }, limits, Date.now());
  const expired = await execute(servo, old, { centerAngle: 90, sweepDwellMs: 1 }, () => undefined);
  assert.deepEqual([expired.status, expired.reason], ['failed', 'command expired before it reached the device']);
  const broken = {
    moveTo: async () => {
      throw new Error('EACCES: duty_cycle');
    },
  };
  const failed = await execute(broken, seed, { centerAngle: 90, sweepDwellMs: 1 }, () => undefined);
  assert.deepEqual([failed.status, failed.reason], ['failed', 'EACCES: duty_cycle']);
});
