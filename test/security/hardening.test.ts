/**
 * The app as shipped, attacked with input: 10,000-deep JSON on the stock
 * `mqtt in` topics is dropped and counted (no stack overflow), and recordings
 * reached through a symbolic link in the media folder are refused.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import mqtt from 'mqtt';
import { startApp, RunningApp } from '../support/app';
import { tempDir } from '../support/services';

let app: RunningApp;

before(async () => {
  app = await startApp({ SIMULATE_DEVICES: '0' });
});
after(async () => app?.stop());

async function counters(): Promise<Record<string, number>> {
  const r = (await (await fetch(`${app.url}/health/ready`)).json()) as { counters?: Record<string, number> };
  return r.counters || {};
}

function deepJson(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

test('10,000-deep JSON on sensor/motion and alerts/control/rules is dropped and counted, not a stack overflow', async () => {
  // alerts/control/+ needs a credential on the embedded broker: the app's own will do.
  const client = await mqtt.connectAsync(app.mqttUrl, { reconnectPeriod: 0, ...app.mqttAppLogin() });
  try {
    const before = (await counters()).iot_messages_too_deep_total || 0;
    for (const topic of ['sensor/motion', 'alerts/control/rules']) await client.publishAsync(topic, deepJson(10_000), { qos: 1 });
    let now = before;
    const end = Date.now() + 10_000;
    while (now < before + 2 && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 200));
      now = (await counters()).iot_messages_too_deep_total || 0;
    }
    assert.equal(now - before, 2, 'both messages counted');
    const c = await counters();
    assert.equal(c['iot_messages_too_deep_total{node=mqtt in}'], now);
  } finally {
    await client.endAsync();
  }
  assert.doesNotMatch(app.log(), /Maximum call stack/);
  assert.match(app.log(), /nested deeper than 64 levels/);
  assert.equal((await fetch(`${app.url}/health/live`)).status, 200);
});

test('a recording reached through a symbolic link in the media folder is refused', async () => {
  const outside = path.join(tempDir('outside'), 'secret.mp4');
  fs.writeFileSync(outside, 'not a recording');
  const cam = path.join(app.dataDir, 'media', 'cam-link');
  fs.mkdirSync(cam, { recursive: true });
  fs.symlinkSync(outside, path.join(cam, 'clip.mp4'));
  const list = (await (await fetch(`${app.url}/recordings`)).json()) as Array<{ file: string }>;
  assert.ok(!list.some((e) => e.file === 'clip.mp4'), 'not listed');
  const res = await fetch(`${app.url}/recordings/cam-link/clip.mp4`);
  assert.equal(res.status, 403);
  assert.doesNotMatch(await res.text(), /not a recording/);
});
