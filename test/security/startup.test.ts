/** The app refuses unsafe configurations with a clear message instead of starting. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../support/red';
import { freePort, tempDir } from '../support/services';

async function run(env: Record<string, string>): Promise<{ status: number | null; output: string }> {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'dist', 'app', 'start.js')], {
    env: {
      ...process.env,
      DATA_DIR: tempDir('startup'),
      PORT: String(await freePort()),
      MQTT_EMBEDDED_PORT: String(await freePort()),
      MQTT_EMBEDDED_WS_PORT: String(await freePort()),
      ...env,
    },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

test('production without a credential secret refuses to start', async () => {
  const r = await run({ NODE_ENV: 'production', NODE_RED_CREDENTIAL_SECRET: '' });
  assert.equal(r.status, 1);
  assert.match(r.output, /NODE_RED_CREDENTIAL_SECRET is required/);
});

test('a public listen address without login refuses to start', async () => {
  const r = await run({ HOST: '0.0.0.0', ADMIN_PASSWORD_HASH: '' });
  assert.equal(r.status, 1);
  assert.match(r.output, /HOST=0\.0\.0\.0 exposes the editor/);
});

test('a bad variable is named', async () => {
  const r = await run({ SIMULATE_DEVICES: 'lots' });
  assert.equal(r.status, 1);
  assert.match(r.output, /SIMULATE_DEVICES must be a whole number/);
});

test('NODE_ENV is matched without regard to case: Production still needs the credential secret', async () => {
  for (const value of ['Production', 'PRODUCTION', ' production ']) {
    const r = await run({ NODE_ENV: value, NODE_RED_CREDENTIAL_SECRET: '' });
    assert.equal(r.status, 1, `NODE_ENV=${JSON.stringify(value)}`);
    assert.match(r.output, /NODE_RED_CREDENTIAL_SECRET is required/);
  }
});
