/**
 * lifecompanion/system/health: the pure parts (activity window, payload) and
 * the app as shipped against a real Mosquitto with the project's users and
 * ACL: the seed's payload every interval, active devices counted from
 * normalized readings, and a retained `offline` when the app stops.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import mqtt from 'mqtt';
import { DeviceActivity, healthPayload } from '../../app/system-health';
import { readEnv } from '../../app/env';
import { startApp, RunningApp } from '../support/app';
import { missing, startMosquitto, Service, tempDir, which } from '../support/services';
import { REPO_ROOT } from '../support/red';

test('activity counts devices seen within the window and keeps the latest time', () => {
  const a = new DeviceActivity(60_000, 2);
  assert.equal(a.active(1000), 0);
  assert.equal(a.lastUpdate(), undefined);
  a.saw('a', 1000);
  a.saw('b', 2000);
  a.saw('a', 3000);
  assert.equal(a.active(3000), 2);
  a.saw('c', 4000); // bound 2: the least recently seen (b) goes
  assert.equal(a.active(4000), 2);
  assert.equal(a.active(63_500), 1, 'a (3000) is out of the window, c is not');
  assert.equal(a.lastUpdate(), 4000);
});

test("the payload: the seed's fields plus readiness", () => {
  const a = new DeviceActivity(60_000);
  a.saw('ruuvi_001', Date.parse('2025-06-25T10:30:00Z'));
  const ready = healthPayload({ status: 'ready', reasons: [], warnings: [] }, a, Date.parse('2025-06-25T10:30:10Z'), 12.4);
  assert.deepEqual(ready, { status: 'healthy', active_devices: 1, last_update: '2025-06-25T10:30:00.000Z', ready: 'ready', reasons: [], uptime_s: 12 });
  const down = healthPayload({ status: 'not ready', reasons: ['MQTT broker x not connected'], warnings: [] }, new DeviceActivity(1), 0, 0);
  assert.equal(down.status, 'degraded');
  assert.equal(down.last_update, null);
  assert.equal(healthPayload({ status: 'starting', reasons: [], warnings: [] }, a, 0, 0).status, 'starting');
});

test('settings: interval (0 = off), topic without wildcards, window', () => {
  assert.equal(readEnv({}).systemHealthIntervalS, 30);
  assert.equal(readEnv({}).systemHealthTopic, 'lifecompanion/system/health');
  assert.equal(readEnv({ SYSTEM_HEALTH_INTERVAL_S: '0' }).systemHealthIntervalS, 0);
  assert.throws(() => readEnv({ SYSTEM_HEALTH_INTERVAL_S: '-1' }), /SYSTEM_HEALTH_INTERVAL_S/);
  assert.throws(() => readEnv({ SYSTEM_HEALTH_TOPIC: 'lifecompanion/#' }), /SYSTEM_HEALTH_TOPIC/);
});

const skip = missing('mosquitto', 'mosquitto_passwd');
let broker: Service | undefined;
let app: RunningApp | undefined;
after(async () => {
  await app?.stop();
  await broker?.stop();
});

function projectConfig(dir: string): string {
  fs.copyFileSync(path.join(REPO_ROOT, 'docker', 'mosquitto', 'acl'), path.join(dir, 'acl'));
  const passwd = which('mosquitto_passwd') as string;
  execFileSync(passwd, ['-b', '-c', path.join(dir, 'passwords'), 'nodered', 'server-secret']);
  execFileSync(passwd, ['-b', path.join(dir, 'passwords'), 'raspberry-01', 'device-secret']);
  return [
    'per_listener_settings false',
    'allow_anonymous false',
    `password_file ${dir}/passwords`,
    `acl_file ${dir}/acl`,
    'listener {{port}} 127.0.0.1',
    'persistence false',
    `log_dest file ${dir}/mosquitto.log`,
  ].join('\n');
}

type Health = { status: string; active_devices: number; last_update: string | null; ready: string; reasons: string[] };

test("the app publishes the seed's health message on a real Mosquitto, counting devices that send readings", { skip, timeout: 120_000 }, async () => {
  const dir = tempDir('sys-health');
  broker = await startMosquitto({ config: projectConfig(dir) });
  app = await startApp({
    MQTT_URL: broker.url,
    MQTT_USERNAME: 'nodered',
    MQTT_PASSWORD: 'server-secret',
    SIMULATE_DEVICES: '0',
    SYSTEM_HEALTH_INTERVAL_S: '1',
  });
  // A reader allowed by the ACL (the app's user reads lifecompanion/#; operators would too).
  const reader = await mqtt.connectAsync(broker.url, { username: 'nodered', password: 'server-secret', reconnectPeriod: 0 });
  const got: Array<{ at: number; retain: boolean; body: Health }> = [];
  reader.on('message', (_t, p, packet) => got.push({ at: Date.now(), retain: packet.retain, body: JSON.parse(p.toString()) }));
  await reader.subscribeAsync('lifecompanion/system/health', { qos: 1 });
  const waitFor = async (what: string, cond: (h: Health) => boolean, ms = 30_000): Promise<Health> => {
    const end = Date.now() + ms;
    for (;;) {
      const hit = got.find((g) => cond(g.body));
      if (hit) return hit.body;
      if (Date.now() > end) throw new Error(`no health message with ${what}; got ${JSON.stringify(got.slice(-3))}\n${app!.log().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  try {
    const first = await waitFor('status healthy', (h) => h.status === 'healthy');
    assert.equal(first.active_devices, 0);
    assert.equal(first.last_update, null);
    assert.equal(first.ready, 'ready');
    const device = await mqtt.connectAsync(broker.url, { username: 'raspberry-01', password: 'device-secret', reconnectPeriod: 0 });
    await device.publishAsync(
      'lifecompanion/sensors/raspberry-01/environmental',
      JSON.stringify({ device_id: 'raspberry-01', timestamp: new Date().toISOString(), temperature: 22.5, humidity: 45.2, pressure: 1013.25, battery: 85 }),
      { qos: 1 },
    );
    await device.endAsync();
    const seen = await waitFor('one active device', (h) => h.active_devices === 1);
    assert.ok(seen.last_update && Math.abs(Date.parse(seen.last_update) - Date.now()) < 60_000, String(seen.last_update));
    // Every interval (1 s here): several messages within a few seconds.
    const n = got.length;
    await new Promise((r) => setTimeout(r, 3500));
    assert.ok(got.length - n >= 2, `${got.length - n} messages in 3.5 s`);
  } finally {
    await reader.endAsync();
  }
  assert.equal(await app.stop(), 0);
  // A new subscriber gets the retained last word.
  const late = await mqtt.connectAsync(broker.url, { username: 'nodered', password: 'server-secret', reconnectPeriod: 0 });
  const retained = new Promise<Health>((resolve) => late.on('message', (_t, p) => resolve(JSON.parse(p.toString()))));
  await late.subscribeAsync('lifecompanion/system/health', { qos: 1 });
  const last = await Promise.race([retained, new Promise<undefined>((r) => setTimeout(() => r(undefined), 5000))]);
  await late.endAsync();
  assert.equal(last?.status, 'offline');
});
