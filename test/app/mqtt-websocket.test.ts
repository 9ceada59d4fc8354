/**
 * MQTT over WebSockets on the embedded broker (the LifeCompanion seed's port
 * 9001, for its Flutter app): an mqtt.js client over ws:// sends the seed's
 * environmental reading and the shipped flows normalize it; the listener
 * applies the same logins as the TCP one.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import mqtt from 'mqtt';
import { startApp, RunningApp } from '../support/app';

let app: RunningApp;

before(async () => {
  app = await startApp({ SIMULATE_DEVICES: '0' });
});
after(async () => app?.stop());

async function normalized(): Promise<number> {
  const body = (await (await fetch(`${app.url}/health/ready`)).json()) as { counters: Record<string, number> };
  return body.counters.iot_readings_normalized_total || 0;
}

test('an mqtt.js client over ws:// publishes a telemetry reading that is normalized', async () => {
  assert.equal(await normalized(), 0, 'no simulator: nothing normalized yet');
  const client = await mqtt.connectAsync(app.mqttWsUrl, { reconnectPeriod: 0, connectTimeout: 5000 });
  try {
    const echo = new Promise<string>((resolve) => client.on('message', (_t, p) => resolve(p.toString())));
    await client.subscribeAsync('lifecompanion/sensors/+/environmental', { qos: 1 });
    const body = JSON.stringify({
      device_id: 'ruuvi_ws',
      timestamp: new Date().toISOString(),
      temperature: 22.5,
      humidity: 45.2,
      pressure: 1013.25,
      battery: 85,
    });
    await client.publishAsync('lifecompanion/sensors/ruuvi_ws/environmental', body, { qos: 1 });
    assert.equal(await echo, body, 'the broker routes WebSocket publishes to WebSocket subscribers');
  } finally {
    await client.endAsync();
  }
  const end = Date.now() + 15_000;
  while ((await normalized()) === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
  assert.ok((await normalized()) >= 1, `the reading is normalized\n${app.log().slice(-2000)}`);
});

test('the WebSocket listener refuses wrong credentials and what the ACL refuses, as the TCP one', async () => {
  await assert.rejects(
    mqtt.connectAsync(app.mqttWsUrl, { username: 'iot-app', password: 'guess', reconnectPeriod: 0 }),
    /Bad username or password|Not authorized/i,
  );
  const anon = await mqtt.connectAsync(app.mqttWsUrl, { reconnectPeriod: 0 });
  try {
    await assert.rejects(anon.subscribeAsync('commands/#'), /Subscribe error/);
  } finally {
    anon.end(true);
  }
  const { username, password } = app.mqttAppLogin();
  const own = await mqtt.connectAsync(app.mqttWsUrl, { username, password, reconnectPeriod: 0 });
  const granted = await own.subscribeAsync('commands/#');
  assert.deepEqual(
    granted.map((g) => g.qos),
    [0],
  );
  await own.endAsync();
});
