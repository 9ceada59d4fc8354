/**
 * The embedded broker of the app as shipped: anonymous loopback clients may
 * send telemetry but not replace the alert rules or read commands; an
 * operator credential from the users file may; wrong passwords are refused.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import bcrypt from 'bcryptjs';
import mqtt from 'mqtt';
import { startApp, RunningApp } from '../support/app';
import { tempDir } from '../support/services';

let app: RunningApp;
const RULE = '[{"id":"only","metric":"temperature","operator":">","threshold":99}]';

before(async () => {
  const dataDir = tempDir('broker-auth');
  fs.writeFileSync(
    path.join(dataDir, 'mqtt-users.json'),
    JSON.stringify([
      { username: 'ops', passwordHash: bcrypt.hashSync('ops-secret', 4), role: 'operator' },
      { username: 'raspberry-01', passwordHash: bcrypt.hashSync('device-secret', 4), role: 'device' },
    ]),
  );
  app = await startApp({ DATA_DIR: dataDir, SIMULATE_DEVICES: '1' });
});
after(async () => app?.stop());

async function rulesCount(): Promise<number | undefined> {
  const r = (await (await fetch(`${app.url}/health/ready`)).json()) as { components?: Record<string, { kind: string; figures?: { rules?: number } }> };
  return Object.values(r.components || {}).find((c) => c.kind === 'threshold-alert')?.figures?.rules;
}

async function waitFor(cond: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return cond();
}

test("the app's own clients log in with generated credentials kept in the data folder", async () => {
  const file = path.join(app.dataDir, 'mqtt-app-credentials.json');
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  const r = (await (await fetch(`${app.url}/health/ready`)).json()) as { brokers: Record<string, boolean> };
  assert.ok(Object.values(r.brokers).length > 0 && Object.values(r.brokers).every(Boolean), JSON.stringify(r.brokers));
  assert.doesNotMatch(app.log(), new RegExp(JSON.parse(fs.readFileSync(file, 'utf8')).password));
});

test('an anonymous client cannot replace the alert rules nor read commands, but may send telemetry', async () => {
  assert.ok(await waitFor(async () => (await rulesCount()) !== undefined, 10_000));
  const before = await rulesCount();
  assert.ok(before! > 1);
  const anon = await mqtt.connectAsync(app.mqttUrl, { reconnectPeriod: 0 });
  try {
    const granted = await anon.subscribeAsync('sensors/#');
    assert.deepEqual(
      granted.map((g) => g.qos),
      [0],
    );
    // The broker answers 128 (failure) for a filter the ACL refuses.
    await assert.rejects(anon.subscribeAsync('commands/#'), /Subscribe error/);
    await anon.publishAsync('sensors/anon-dev/ruuvi', '{"temperature":20}', { qos: 0 });
    anon.publish('alerts/control/rules', RULE, { qos: 0 });
  } finally {
    anon.end(true);
  }
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(await rulesCount(), before, 'rules unchanged');
});

test('wrong credentials are refused', async () => {
  await assert.rejects(mqtt.connectAsync(app.mqttUrl, { username: 'ops', password: 'wrong', reconnectPeriod: 0 }), /Bad username or password|Not authorized/i);
  await assert.rejects(
    mqtt.connectAsync(app.mqttUrl, { username: 'iot-app', password: 'guess', reconnectPeriod: 0 }),
    /Bad username or password|Not authorized/i,
  );
});

test('a device may not publish control either; an operator credential may', async () => {
  const before = await rulesCount();
  const device = await mqtt.connectAsync(app.mqttUrl, { username: 'raspberry-01', password: 'device-secret', reconnectPeriod: 0 });
  device.publish('alerts/control/rules', RULE, { qos: 0 });
  await new Promise((r) => setTimeout(r, 1000));
  device.end(true);
  assert.equal(await rulesCount(), before);
  const ops = await mqtt.connectAsync(app.mqttUrl, { username: 'ops', password: 'ops-secret', reconnectPeriod: 0 });
  try {
    await ops.publishAsync('alerts/control/rules', RULE, { qos: 1 });
    assert.ok(await waitFor(async () => (await rulesCount()) === 1, 5000), `rules now ${await rulesCount()}`);
  } finally {
    await ops.endAsync();
  }
});
