/**
 * End to end, the app as shipped: a wearable's accelerometer samples published
 * on a real Mosquitto (`lifecompanion/sensors/{id}/activity`, the seed's
 * payload) -> telemetry flow (normalizer, activity-classifier) -> alerts flow
 * -> the stock `fall-detected` rule fires a critical alert, seen through the
 * HTTP API; the device's latest readings hold its activity.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import mqtt from 'mqtt';
import { startApp, RunningApp } from '../support/app';
import { missing, startMosquitto, Service } from '../support/services';

const skip = missing('mosquitto');
let broker: Service | undefined;
let app: RunningApp | undefined;
after(async () => {
  await app?.stop();
  await broker?.stop();
});

async function poll<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${app?.log().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** The seed's payload: standing 12 s, an impact of about 4 g, then lying on the side 8 s, at 2 Hz. */
function fall(deviceId: string, t0: number): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  const at = (t: number, x: number, y: number, z: number, hint: string) =>
    out.push({ device_id: deviceId, timestamp: new Date(t).toISOString(), x, y, z, activity_hint: hint });
  let t = t0;
  for (; t < t0 + 12_000; t += 500) at(t, 0.12 + (t % 3) * 0.01, 0.03, 9.79, 'stationary');
  at(t, 22.5, 18.1, 26.4, 'stationary');
  t += 500;
  for (const end = t + 8000; t < end; t += 500) at(t, 9.78, 0.05 + (t % 2) * 0.02, 0.41, 'stationary');
  return out;
}

test('accelerometer samples over Mosquitto into the app as shipped: a critical fall alert fires', { skip, timeout: 120_000 }, async () => {
  broker = await startMosquitto();
  app = await startApp({ MQTT_URL: broker.url, SIMULATE_DEVICES: '0' });
  const api = async (p: string): Promise<any> => (await fetch(`${app!.url}${p}`)).json();
  await poll('the app ready', async () => ((await fetch(`${app!.url}/health/ready`)).ok ? true : undefined), 60_000);

  // An external frontend watching the event stream sees the fall as it happens.
  const ctl = new AbortController();
  let streamed = '';
  const stream = await fetch(`${app.url}/api/events/stream?types=event`, { signal: ctl.signal });
  assert.equal(stream.status, 200);
  void (async () => {
    const reader = stream.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) return;
      streamed += Buffer.from(value!).toString('utf8');
    }
  })();

  const device = mqtt.connect(broker.url, { reconnectPeriod: 0 });
  await new Promise<void>((resolve, reject) => {
    device.once('connect', () => resolve());
    device.once('error', reject);
  });
  const samples = fall('accel_042', Date.now() - 30_000);
  for (const s of samples) await device.publishAsync('lifecompanion/sensors/accel_042/activity', JSON.stringify(s), { qos: 1 });
  device.end();

  const alert = await poll('a firing fall alert', async () => {
    const r = await api('/api/alerts?state=firing');
    return r.active?.find((a: { ruleId: string; deviceId: string }) => a.ruleId === 'fall-detected' && a.deviceId === 'accel_042');
  });
  assert.equal(alert.severity, 'critical');
  assert.equal(alert.metric, 'fall');
  const latest = await api('/api/devices/accel_042/readings/latest');
  assert.equal(latest.activity?.value, 0, `latest readings: ${JSON.stringify(latest)}`);
  // The still, upright start of the wearer gave no alert of its own: exactly one fall.
  await poll('the fall on the event stream', async () => (/"type":"fall"/.test(streamed) ? true : undefined), 10_000);
  assert.match(streamed, /event: event\ndata: .*"deviceId":"accel_042".*"peakG":/);
  ctl.abort();
  const all = await api('/api/alerts');
  assert.equal(all.active.filter((a: { ruleId: string }) => a.ruleId === 'fall-detected').length, 1);
});
