import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canTransition, parseAck, parseRequest } from '../../nodes/servo-command/command';
import { DEFAULTS } from '../../nodes/servo-command/config';

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
