/**
 * The Pi install applies the seed's retention on the first start: install-pi.sh
 * (files only) writes a unit whose ExecStartPre runs scripts/influx-retention
 * --first-start; that command, run as the unit would (the env file's settings,
 * against a real influxd), creates the 90-day "raw" and 730-day "hourly"
 * policies and the hourly continuous query once, and remembers it.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { influxQuery, missing, Service, startInflux1, tempDir } from '../support/services';
import { REPO_ROOT } from '../support/red';

const run = promisify(execFile);
let influx: Service | undefined;
after(async () => {
  await influx?.stop();
});

function install(extra: Record<string, string> = {}): { dirs: Record<string, string>; unit: string; env: Record<string, string> } {
  const root = tempDir('pi-retention');
  const dirs = { PREFIX: `${root}/opt/iot`, DATA_DIR: `${root}/var/iot`, ENV_FILE: `${root}/etc/iot.env`, UNIT_DIR: `${root}/systemd` };
  const r = spawnSync('bash', [path.join(REPO_ROOT, 'deploy', 'install-pi.sh')], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH || '', NO_APT: '1', NO_NPM: '1', NO_USER: '1', NO_SYSTEMCTL: '1', ...dirs, ...extra },
  });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const env = Object.fromEntries(
    fs
      .readFileSync(dirs.ENV_FILE, 'utf8')
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return { dirs, unit: fs.readFileSync(path.join(dirs.UNIT_DIR, 'iot-flow-engine.service'), 'utf8'), env };
}

/** The unit's ExecStartPre, run as systemd would (its env file), with the built script of this checkout. */
async function execStartPre(unit: string, env: Record<string, string>): Promise<string> {
  const line = /^ExecStartPre=-\/usr\/bin\/node (\S+)(.*)$/m.exec(unit);
  assert.ok(line, 'the unit runs the retention script before the app, and a failure does not stop the app ("-")');
  const { stdout } = await run(process.execPath, [path.join(REPO_ROOT, line[1]), ...line[2].trim().split(/\s+/)], {
    env: { PATH: process.env.PATH || '', ...env },
  });
  return stdout;
}

test("install-pi.sh: the unit applies retention on start; WITH_INFLUXDB=1 points the app at the Pi's own InfluxDB 1.x", async () => {
  const plain = install();
  assert.match(plain.unit, /^ExecStartPre=-\/usr\/bin\/node dist\/scripts\/influx-retention\.js --first-start$/m);
  assert.equal(plain.env.INFLUX_URL, undefined, 'no database unless asked for');
  assert.deepEqual([plain.env.INFLUX_RETENTION, plain.env.INFLUX_HOURLY_RETENTION], ['90d', '730d']);
  assert.match(await execStartPre(plain.unit, plain.env), /skipped: INFLUX_URL is not set/);
  const local = install({ WITH_INFLUXDB: '1' });
  assert.deepEqual([local.env.INFLUX_URL, local.env.INFLUX_VERSION, local.env.INFLUX_DB], ['http://127.0.0.1:8086', '1', 'iot']);
});

test(
  'the first start creates the retention policies and the continuous query on a real influxd, once',
  { skip: missing('influxd'), timeout: 90_000 },
  async () => {
    influx = await startInflux1();
    const { unit, env, dirs } = install({ WITH_INFLUXDB: '1' });
    const startEnv = { ...env, INFLUX_URL: influx.url };
    assert.match(await execStartPre(unit, startEnv), /Applied \(InfluxDB 1\.x/);
    const rps = await influxQuery(influx.url, 'iot', 'SHOW RETENTION POLICIES ON "iot"');
    const raw = rps.find((r) => r.name === 'raw');
    assert.equal(raw?.duration, '2160h0m0s', JSON.stringify(rps));
    assert.equal(raw?.default, true);
    assert.equal(rps.find((r) => r.name === 'hourly')?.duration, '17520h0m0s');
    const cqs = await influxQuery(influx.url, 'iot', 'SHOW CONTINUOUS QUERIES');
    assert.ok(
      cqs.some((r) => r.name === 'cq_hourly'),
      JSON.stringify(cqs),
    );
    const marker = JSON.parse(fs.readFileSync(path.join(dirs.DATA_DIR, 'influx-retention.json'), 'utf8'));
    assert.match(marker.key, /raw=90d hourly=730d$/);

    // Next starts leave the database alone, even after an operator changed a policy by hand...
    const alter = await fetch(`${influx.url}/query`, {
      method: 'POST',
      body: new URLSearchParams({ q: 'ALTER RETENTION POLICY "raw" ON "iot" DURATION 30d' }),
    });
    assert.equal(alter.status, 200);
    assert.match(await execStartPre(unit, startEnv), /already applied/);
    assert.equal((await influxQuery(influx.url, 'iot', 'SHOW RETENTION POLICIES ON "iot"')).find((r) => r.name === 'raw')?.duration, '720h0m0s');
    // ...until the settings change: then the new durations are applied.
    assert.match(await execStartPre(unit, { ...startEnv, INFLUX_RETENTION: '120d' }), /Applied/);
    assert.equal((await influxQuery(influx.url, 'iot', 'SHOW RETENTION POLICIES ON "iot"')).find((r) => r.name === 'raw')?.duration, '2880h0m0s');
  },
);

test('a database that is away: the script fails (the app still starts, "-") and tries again next start', async () => {
  const { unit, env, dirs } = install({ WITH_INFLUXDB: '1' });
  await assert.rejects(execStartPre(unit, { ...env, INFLUX_URL: 'http://127.0.0.1:9' }), /influx-retention:/);
  assert.ok(!fs.existsSync(path.join(dirs.DATA_DIR, 'influx-retention.json')), 'nothing remembered');
});
