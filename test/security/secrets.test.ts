/**
 * No secret in any answer or log line: a password inside INFLUX_URL stays out
 * of /health/ready (reasons and writer detail), /metrics and the log; a
 * malformed MQTT_URL with a password is refused without printing it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startApp, RunningApp } from '../support/app';
import { REPO_ROOT } from '../support/red';
import { freePort, tempDir } from '../support/services';

const INFLUX_PW = 'hunter2-influx-pw';
let app: RunningApp;

before(async () => {
  // Nothing listens on this port: the writer fails and reports why.
  const closed = await freePort();
  app = await startApp({ INFLUX_URL: `http://writer:${INFLUX_PW}@127.0.0.1:${closed}`, INFLUX_VERSION: '1', SIMULATE_DEVICES: '2', LOG_LEVEL: 'info' });
});
after(async () => app?.stop());

test('a password in INFLUX_URL never appears in /health/ready, /metrics or the log', async () => {
  let body = '';
  const end = Date.now() + 30_000;
  // Wait until the writer has tried and failed, so its detail is in the report.
  while (Date.now() < end) {
    body = await (await fetch(`${app.url}/health/ready`)).text();
    if (/InfluxDB writer [^"]*: InfluxDB unavailable/.test(body)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.match(body, /InfluxDB writer [^"]*: InfluxDB unavailable/, body.slice(0, 500));
  assert.doesNotMatch(body, new RegExp(INFLUX_PW));
  assert.doesNotMatch(await (await fetch(`${app.url}/metrics`)).text(), new RegExp(INFLUX_PW));
  assert.doesNotMatch(app.log(), new RegExp(INFLUX_PW));
});

test('a malformed MQTT_URL with a password is refused without printing the password', async () => {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'dist', 'app', 'start.js')], {
    env: { ...process.env, DATA_DIR: tempDir('secrets'), PORT: String(await freePort()), MQTT_URL: 'mqtt//dev:s3cret-mqtt-pw@broker:1883' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  const output = `${r.stdout}${r.stderr}`;
  assert.equal(r.status, 1);
  assert.match(output, /MQTT_URL must look like/);
  assert.doesNotMatch(output, /s3cret-mqtt-pw/);
});
