import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nodeKit } from '../../nodes/common/node-kit';
import type { NodeInstance, NodeMessage } from '../../nodes/common/red';
import type { NodeStatus } from '../../nodes/common/status';
import type { Command } from '../../nodes/common/types';
import { parseConfig } from '../../nodes/servo-command/config';
import { ServoServer } from '../../nodes/servo-command/servo-server';

type Out = [NodeMessage | null, NodeMessage | null];

/** What ServoServer uses of a Node-RED node, recorded. */
function server(cfg: Record<string, unknown> = {}) {
  const statuses: NodeStatus[] = [];
  const sent: Out[] = [];
  const node = {
    id: 'servo1',
    type: 'servo-command',
    credentials: {},
    on: () => undefined,
    status: (s: NodeStatus) => statuses.push(s),
    send: (m: Out) => sent.push(m),
    error: () => undefined,
    warn: () => undefined,
  } as unknown as NodeInstance;
  const tr = (key: string) => key.split('.').pop()!;
  const s = new ServoServer(node, parseConfig({ mode: 'server', ...cfg }), nodeKit(node, 'servo-command'), tr);
  const input = (msg: NodeMessage) =>
    new Promise<{ err?: Error; out: Out[] }>((resolve) => {
      const out: Out[] = [];
      s.input(
        msg,
        (m) => out.push(m as Out),
        (err) => resolve({ err, out }),
      );
    });
  return { s, statuses, sent, input };
}

test('servo server: a request becomes a command on the device topic, with a status message, then its ack moves it', async () => {
  const { s, sent, input, statuses } = server();
  try {
    const { err, out } = await input({ payload: { deviceId: 'cam-1', direction: 'left' } });
    assert.equal(err, undefined);
    const [cmdMsg, statusMsg] = out[0];
    const cmd = cmdMsg!.payload as Command;
    assert.deepEqual([cmdMsg!.topic, cmdMsg!.qos, cmdMsg!.retain, cmd.deviceId, cmd.status], ['commands/cam-1/servo', 1, false, 'cam-1', 'sent']);
    assert.deepEqual([statusMsg!.topic, (statusMsg!.payload as Command).id], ['commands/cam-1/servo/status', cmd.id]);
    assert.deepEqual(statuses.at(-1), { fill: 'blue', shape: 'dot', text: 'sent' });

    const ack = await input({ topic: 'commands/cam-1/servo/ack', payload: { id: cmd.id, status: 'executed', angle: 180 } });
    assert.equal(ack.err, undefined);
    const reported = sent.at(-1)!;
    assert.equal(reported[0], null);
    assert.deepEqual([reported[1]!.topic, (reported[1]!.payload as Command).status], ['commands/cam-1/servo/status', 'executed']);
    assert.equal(statuses.at(-1)!.fill, 'green');
  } finally {
    await s.close();
  }
});

test('servo server: bad acks, missing device ids and a second command too soon fail with done(err)', async () => {
  const { s, input } = server({ rateLimitMs: 60_000 });
  try {
    assert.match(
      (await input({ topic: 'commands/cam-1/servo/ack', payload: 'nonsense' })).err!.message,
      /acknowledgement on commands\/cam-1\/servo\/ack needs/,
    );
    assert.match((await input({ payload: { direction: 'left' } })).err!.message, /deviceId missing or invalid/);
    assert.equal((await input({ deviceId: 'cam-2', payload: { direction: 'right' } })).err, undefined);
    const again = await input({ deviceId: 'cam-2', payload: { direction: 'left' } });
    assert.match(again.err!.message, /rate limited: cam-2 accepts one command per 60000 ms/);
    assert.deepEqual(again.out, [], 'nothing sent');
  } finally {
    await s.close();
  }
});
