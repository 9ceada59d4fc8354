/**
 * A readiness probe that asks while the app is still starting (Kubernetes,
 * compose, the benchmark all do) gets "not ready", and the app keeps starting:
 * before the flows were loaded, /health/ready used to end the process.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../support/red';
import { freePort, tempDir } from '../support/services';

test('/health/ready polled from the first moment answers 503 until the app is up, and never ends it', { timeout: 90_000 }, async () => {
  const port = await freePort();
  const proc = spawn(process.execPath, [path.join(REPO_ROOT, 'dist', 'app', 'start.js')], {
    env: {
      ...process.env,
      PORT: String(port),
      MQTT_EMBEDDED_PORT: String(await freePort()),
      MQTT_EMBEDDED_WS_PORT: String(await freePort()),
      DATA_DIR: tempDir('ready-early'),
      SIMULATE_DEVICES: '0',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  const statuses = new Set<number>();
  try {
    const end = Date.now() + 60_000;
    for (;;) {
      assert.equal(proc.exitCode, null, `the app ended while starting:\n${out.slice(-2000)}`);
      const ready = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
        (r) => r.status,
        () => 0,
      );
      if (ready) statuses.add(ready);
      const live = await fetch(`http://127.0.0.1:${port}/health/live`).then(
        (r) => r.status,
        () => 0,
      );
      if (live === 200) break;
      assert.ok(Date.now() < end, `not live in 60 s:\n${out.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(statuses.has(503), `asked while starting: ${[...statuses].join(', ')}`);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(proc.exitCode, null, `the app is still running:\n${out.slice(-2000)}`);
  } finally {
    if (proc.exitCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    }
  }
});
