import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCommand } from '../../nodes/servo-command/command';
import { CommandTracker, Transition } from '../../nodes/servo-command/tracker';

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
