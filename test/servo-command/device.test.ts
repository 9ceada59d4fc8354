import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCommand } from '../../nodes/servo-command/command';
import { DEFAULTS } from '../../nodes/servo-command/config';
import { execute, parseReceived } from '../../nodes/servo-command/device';

const limits = { ...DEFAULTS, minAngle: 10, maxAngle: 170 };

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
