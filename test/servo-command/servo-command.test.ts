/**
 * Servo round trip through a real Mosquitto with the core mqtt nodes:
 * server-mode node -> commands/{id}/servo -> device-mode node writing a PWM
 * folder -> commands/{id}/servo/ack -> server node: sent, acknowledged, executed.
 * A device nobody answers for expires; a device without a PWM chip fails with the reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'fs';
import path from 'path';
import mqtt from 'mqtt';
import { collect, helper, load, mosquittoSuite, nodeModule } from '../support/red';
import { tempDir } from '../support/services';

const mqttNodes = require('@node-red/nodes/core/network/10-mqtt.js');
const servoNode = nodeModule('servo-command');
const { skip, broker } = mosquittoSuite();

function sysfs(): string {
  const root = tempDir('servo-sysfs');
  const ch = path.join(root, 'pwmchip0', 'pwm0');
  fs.mkdirSync(ch, { recursive: true });
  fs.writeFileSync(path.join(root, 'pwmchip0', 'export'), '');
  for (const f of ['period', 'duty_cycle', 'enable']) fs.writeFileSync(path.join(ch, f), '0');
  return root;
}

function flow(pwmRoot: string) {
  return [
    { id: 'tab', type: 'tab', label: 'servo' },
    {
      id: 'broker1',
      type: 'mqtt-broker',
      name: 'test',
      broker: broker().url,
      port: '',
      clientid: '',
      autoConnect: true,
      usetls: false,
      protocolVersion: '4',
      keepalive: '60',
      cleansession: true,
      autoUnsubscribe: true,
    },
    // server side
    { id: 'server', type: 'servo-command', z: 'tab', x: 100, y: 100, mode: 'server', ttlSec: 3, rateLimitMs: 500, wires: [['cmd-out'], ['server-status']] },
    { id: 'cmd-out', type: 'mqtt out', z: 'tab', x: 100, y: 100, broker: 'broker1', topic: '', qos: '', retain: '', wires: [] },
    {
      id: 'ack-in',
      type: 'mqtt in',
      z: 'tab',
      x: 100,
      y: 100,
      broker: 'broker1',
      topic: 'commands/+/servo/ack',
      qos: '1',
      datatype: 'json',
      wires: [['server']],
    },
    { id: 'server-status', type: 'helper', z: 'tab' },
    // device side (raspberry-01 only)
    { id: 'cmd-in', type: 'mqtt in', z: 'tab', x: 100, y: 100, broker: 'broker1', topic: 'commands/+/servo', qos: '1', datatype: 'json', wires: [['device']] },
    {
      id: 'device',
      type: 'servo-command',
      z: 'tab',
      x: 100,
      y: 100,
      mode: 'device',
      deviceId: 'raspberry-01',
      pwmRoot,
      sweepDwellMs: 50,
      wires: [['ack-out'], ['device-status']],
    },
    { id: 'ack-out', type: 'mqtt out', z: 'tab', x: 100, y: 100, broker: 'broker1', topic: '', qos: '', retain: '', wires: [] },
    { id: 'device-status', type: 'helper', z: 'tab' },
  ];
}

async function connected(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const nodes = ['cmd-in', 'ack-in'].map((id) => helper.getNode(id));
    const conn = helper.getNode('broker1');
    if (conn?.connected && nodes.every(Boolean)) {
      await new Promise((r) => setTimeout(r, 300)); // let the subscriptions land
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('mqtt-broker node did not connect');
}

test('command -> device writes the PWM folder -> ack -> executed', { skip, timeout: 30_000 }, async () => {
  const root = sysfs();
  await load([mqttNodes, servoNode], flow(root));
  await connected();
  // a plain subscriber sees what goes over the wire
  const spy = mqtt.connect(broker().url);
  const wire: Array<{ topic: string; payload: any }> = [];
  spy.on('message', (topic, payload) => wire.push({ topic, payload: JSON.parse(payload.toString()) }));
  await spy.subscribeAsync('commands/#');
  try {
    const statusP = collect('server-status', 3, 15_000);
    helper.getNode('server').receive({ payload: { direction: 'left' }, deviceId: 'raspberry-01' });
    const statuses = await statusP;
    assert.deepEqual(
      statuses.map((m) => m.payload.status),
      ['sent', 'acknowledged', 'executed'],
    );
    const cmd = statuses[2].payload;
    assert.equal(cmd.deviceId, 'raspberry-01');
    assert.deepEqual(cmd.params, { direction: 'left', angle: 180 });
    assert.ok(cmd.expiresAt - cmd.createdAt === 3000);
    const ch = path.join(root, 'pwmchip0', 'pwm0');
    assert.deepEqual(
      ['period', 'duty_cycle', 'enable'].map((f) => fs.readFileSync(path.join(ch, f), 'utf8')),
      ['20000000', '2500000', '1'],
    );
    for (let i = 0; i < 30 && wire.length < 3; i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(
      wire.map((w) => `${w.topic} ${w.payload.status}`),
      ['commands/raspberry-01/servo sent', 'commands/raspberry-01/servo/ack acknowledged', 'commands/raspberry-01/servo/ack executed'],
    );
    assert.equal(wire[0].payload.id, cmd.id);
    assert.equal(wire[2].payload.angle, 180);

    // rate limit: a second command within 500 ms fails with a clear error
    const err = await new Promise<Error>((resolve) => {
      const server = helper.getNode('server');
      server.receive({ payload: { angle: 10 }, deviceId: 'raspberry-09' });
      server.receive({ payload: { angle: 20 }, deviceId: 'raspberry-09' });
      server.on('call:error', (call: { args: [Error] }) => resolve(call.args[0]));
    });
    assert.match(String(err), /rate limited: raspberry-09 accepts one command per 500 ms/);

    // the seed's bare payload also drives the device
    await new Promise((r) => setTimeout(r, 600)); // past the device's own rate limit
    const devP = collect('device-status', 1, 10_000);
    spy.publish('commands/raspberry-01/servo', '{"direction": "right"}');
    const [dev] = await devP;
    assert.equal(dev.payload.status, 'executed');
    assert.match(dev.payload.id, /^local-/);
    for (let i = 0; i < 30 && fs.readFileSync(path.join(ch, 'duty_cycle'), 'utf8') !== '500000'; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(fs.readFileSync(path.join(ch, 'duty_cycle'), 'utf8'), '500000');
  } finally {
    await spy.endAsync();
  }
});

test('a command nobody acknowledges expires', { skip, timeout: 30_000 }, async () => {
  await load([mqttNodes, servoNode], flow(sysfs()));
  await connected();
  const statusP = collect('server-status', 2, 15_000);
  const t0 = Date.now();
  helper.getNode('server').receive({ payload: { angle: 45 }, deviceId: 'raspberry-02' });
  const statuses = await statusP;
  assert.deepEqual(
    statuses.map((m) => m.payload.status),
    ['sent', 'expired'],
  );
  assert.equal(statuses[1].reason, 'no acknowledgement before expiresAt');
  assert.ok(Date.now() - t0 >= 2900, 'not before expiresAt');
});

test('without a PWM chip the device answers failed with the reason', { skip, timeout: 30_000 }, async () => {
  await load([mqttNodes, servoNode], flow(tempDir('no-pwm')));
  await connected();
  const statusP = collect('server-status', 2, 15_000);
  helper.getNode('server').receive({ payload: { action: 'sweep' }, deviceId: 'raspberry-01' });
  const statuses = await statusP;
  assert.deepEqual(
    statuses.map((m) => m.payload.status),
    ['sent', 'failed'],
  );
  assert.match(statuses[1].reason, /PWM chip .*pwmchip0 not found/);
  const device = helper.getNode('device');
  const grey = device.status
    .getCalls()
    .filter((c: { thisValue: { id: string } }) => c.thisValue.id === 'device')
    .map((c: { args: [{ fill?: string }] }) => c.args[0].fill);
  assert.ok(grey.includes('grey'), JSON.stringify(grey));
  const warns = device.warn.getCalls().filter((c: { thisValue: { id: string } }) => c.thisValue.id === 'device');
  assert.equal(warns.length, 1, 'warned once');
});
