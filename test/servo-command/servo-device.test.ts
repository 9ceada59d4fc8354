import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { nodeKit } from '../../nodes/common/node-kit';
import type { NodeInstance, NodeMessage } from '../../nodes/common/red';
import type { NodeStatus } from '../../nodes/common/status';
import { parseConfig } from '../../nodes/servo-command/config';
import { ServoDevice } from '../../nodes/servo-command/servo-device';
import { tempDir } from '../support/services';

type Out = [NodeMessage | null, NodeMessage | null];

/** A PWM chip as sysfs shows it, in a temporary folder. */
function sysfs(): string {
  const root = tempDir('servo-device-sysfs');
  const ch = path.join(root, 'pwmchip0', 'pwm0');
  fs.mkdirSync(ch, { recursive: true });
  fs.writeFileSync(path.join(root, 'pwmchip0', 'export'), '');
  for (const f of ['period', 'duty_cycle', 'enable']) fs.writeFileSync(path.join(ch, f), '0');
  return root;
}

/** What ServoDevice uses of a Node-RED node, recorded. */
function device(cfg: Record<string, unknown>) {
  const statuses: NodeStatus[] = [];
  const warnings: string[] = [];
  const node = {
    id: 'servo-dev',
    type: 'servo-command',
    credentials: {},
    on: () => undefined,
    status: (s: NodeStatus) => statuses.push(s),
    send: () => undefined,
    error: () => undefined,
    warn: (w: string) => warnings.push(w),
  } as unknown as NodeInstance;
  const tr = (key: string) => key.split('.').pop()!;
  const d = new ServoDevice(node, parseConfig({ mode: 'device', sweepDwellMs: 10, ...cfg }), nodeKit(node, 'servo-command'), tr);
  const input = (msg: NodeMessage) =>
    new Promise<{ err?: Error; out: Out[] }>((resolve) => {
      const out: Out[] = [];
      d.input(
        msg,
        (m) => out.push(m as Out),
        (err) => resolve({ err, out }),
      );
    });
  return { d, statuses, warnings, input };
}

const command = (id: string, angle: number) => ({
  id,
  deviceId: 'cam-1',
  action: 'set_angle',
  params: { angle },
  createdAt: Date.now(),
  expiresAt: Date.now() + 10_000,
});

test('servo device: a command moves the servo (duty cycle written) and is acknowledged, then executed', async () => {
  const root = sysfs();
  const { d, input, statuses } = device({ pwmRoot: root, deviceId: 'cam-1' });
  try {
    assert.equal(statuses[0].fill, 'green', 'PWM found');
    const { err, out } = await input({ topic: 'commands/cam-1/servo', payload: command('c1', 0) });
    assert.equal(err, undefined);
    const acks = out.filter((o) => o[0]).map((o) => o[0]!);
    assert.deepEqual(
      acks.map((a) => [a.topic, (a.payload as { status: string }).status, (a.payload as { id: string }).id]),
      [
        ['commands/cam-1/servo/ack', 'acknowledged', 'c1'],
        ['commands/cam-1/servo/ack', 'executed', 'c1'],
      ],
    );
    assert.equal(fs.readFileSync(path.join(root, 'pwmchip0', 'pwm0', 'duty_cycle'), 'utf8').trim(), '500000', '0° is the 500 µs pulse');
    const final = out.find((o) => o[1])![1]!;
    assert.deepEqual([final.topic, (final.payload as { status: string }).status], ['commands/cam-1/servo/status', 'executed']);
  } finally {
    await d.close();
  }
});

test("servo device: another device's command is ignored; a bad command is refused with a failed ack and done(err)", async () => {
  const { d, input } = device({ pwmRoot: sysfs(), deviceId: 'cam-1' });
  try {
    assert.deepEqual(await input({ topic: 'commands/cam-2/servo', payload: command('x', 10) }), { err: undefined, out: [] });
    const bad = await input({ topic: 'commands/cam-1/servo', payload: { id: 'c2', wat: 1 } });
    assert.ok(bad.err, 'done(err)');
    assert.deepEqual((bad.out[0][0]!.payload as { status: string; id: string }).status, 'failed');
  } finally {
    await d.close();
  }
});

test('servo device: without a PWM chip it warns once, shows grey and answers failed', async () => {
  const { d, input, statuses, warnings } = device({ pwmRoot: path.join(tempDir('no-pwm'), 'none') });
  try {
    assert.deepEqual(statuses.at(-1), { fill: 'grey', shape: 'ring', text: 'noPwm' });
    for (const id of ['a', 'b']) {
      const { err, out } = await input({ topic: 'commands/cam-1/servo', payload: command(id, 90) });
      assert.equal(err, undefined);
      const ack = out[0][0]!.payload as { status: string; reason: string };
      assert.equal(ack.status, 'failed');
      assert.match(ack.reason, /PWM chip .* not found: no servo on this machine/);
    }
    assert.equal(warnings.length, 1, 'warned once');
  } finally {
    await d.close();
  }
});
