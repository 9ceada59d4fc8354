/** The compose files validate, and the Raspberry Pi installer lays out a working service. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { SHIPPED_NODE_ARGS } from '../../bench/influx-bench-lib';
import { REPO_ROOT } from '../support/red';
import { missing, tempDir } from '../support/services';

const docker = path.join(REPO_ROOT, 'docker');
const compose = (args: string[], env: Record<string, string> = {}) =>
  spawnSync('docker-compose', args, { cwd: REPO_ROOT, encoding: 'utf8', env: { PATH: process.env.PATH || '', ...env } });

test('docker compose config accepts the stack and the Raspberry Pi variant', { skip: missing('docker-compose') }, () => {
  for (const files of [['compose.yaml'], ['compose.yaml', 'compose.pi.yaml']]) {
    const args = files.flatMap((f) => ['-f', path.join(docker, f)]);
    const r = compose([...args, '--env-file', path.join(docker, 'example.env'), 'config']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /eclipse-mosquitto/);
    assert.match(r.stdout, /DOCKER_INFLUXDB_INIT_RETENTION: 90d/);
    assert.match(r.stdout, /influx-retention\.js\s+- --raw\s+- 90d\s+- --hourly\s+- 730d/);
    assert.match(r.stdout, /MQTT_URL: mqtt:\/\/mosquitto:1883/);
  }
});

test(
  'docker compose config accepts the scale-out stack: Redis, two app instances in one share group, each with its own data',
  { skip: missing('docker-compose') },
  () => {
    const r = compose(['-f', path.join(docker, 'compose.scale.yaml'), '--env-file', path.join(docker, 'example.env'), 'config']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /image: redis:7/);
    assert.equal(r.stdout.match(/MQTT_SHARE_GROUP: iot/g)?.length, 2);
    assert.equal(r.stdout.match(/REDIS_URL: redis:\/\/redis:6379\/0/g)?.length, 2);
    assert.match(r.stdout, /app-1-data:\/data/);
    assert.match(r.stdout, /app-2-data:\/data/);
    const empty = path.join(tempDir('compose'), 'empty.env');
    fs.writeFileSync(empty, '');
    assert.notEqual(compose(['-f', path.join(docker, 'compose.scale.yaml'), '--env-file', empty, 'config', '-q']).status, 0, 'secrets required');
  },
);

test('the compose stack refuses to start without its secrets', { skip: missing('docker-compose') }, () => {
  const empty = path.join(tempDir('compose'), 'empty.env');
  fs.writeFileSync(empty, '');
  const r = compose(['-f', path.join(docker, 'compose.yaml'), '--env-file', empty, 'config', '-q']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /set [A-Z_]+ in docker\/\.env/);
});

test('the Mosquitto config bounds queues by bytes, not by the default 1000 messages', () => {
  const conf = fs.readFileSync(path.join(docker, 'mosquitto', 'mosquitto.conf'), 'utf8');
  assert.match(conf, /^max_queued_messages 0$/m);
  assert.match(conf, /^max_queued_bytes \d+$/m);
  assert.match(conf, /^allow_anonymous false$/m);
});

test('every launcher starts Node with the heap bound the benchmark measures', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  assert.match(pkg.scripts.start, new RegExp(`node ${SHIPPED_NODE_ARGS} dist/app/start\\.js$`));
  assert.match(fs.readFileSync(path.join(REPO_ROOT, 'docker', 'Dockerfile'), 'utf8'), new RegExp(`^\\s*NODE_OPTIONS=${SHIPPED_NODE_ARGS} \\\\$`, 'm'));
  assert.match(
    fs.readFileSync(path.join(REPO_ROOT, 'deploy', 'iot-flow-engine.service'), 'utf8'),
    new RegExp(`^Environment=NODE_OPTIONS=${SHIPPED_NODE_ARGS}$`, 'm'),
  );
});

test('install-pi.sh lays out the app, a private env file with a secret, and an enabled-at-boot unit', () => {
  const root = tempDir('pi');
  const dirs = { PREFIX: `${root}/opt/iot`, DATA_DIR: `${root}/var/iot`, ENV_FILE: `${root}/etc/iot.env`, UNIT_DIR: `${root}/systemd` };
  const r = spawnSync('bash', [path.join(REPO_ROOT, 'deploy', 'install-pi.sh')], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH || '', NO_APT: '1', NO_NPM: '1', NO_USER: '1', NO_SYSTEMCTL: '1', ...dirs },
  });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.ok(fs.existsSync(path.join(dirs.PREFIX, 'package.json')));
  assert.ok(!fs.existsSync(path.join(dirs.PREFIX, 'node_modules')), 'node_modules is not copied');
  const env = fs.readFileSync(dirs.ENV_FILE, 'utf8');
  assert.match(env, /^NODE_RED_CREDENTIAL_SECRET=[A-Za-z0-9]{20,}$/m);
  assert.equal(fs.statSync(dirs.ENV_FILE).mode & 0o777, 0o600);
  const unit = fs.readFileSync(path.join(dirs.UNIT_DIR, 'iot-flow-engine.service'), 'utf8');
  assert.match(unit, new RegExp(`^WorkingDirectory=${dirs.PREFIX}$`, 'm'));
  assert.match(unit, new RegExp(`^EnvironmentFile=${dirs.ENV_FILE}$`, 'm'));
  assert.match(unit, /^WantedBy=multi-user\.target$/m);
  assert.match(unit, /^KillSignal=SIGTERM$/m);
  // The heap bound every launcher ships, which the benchmark measures (bench/influx-bench.ts).
  assert.match(unit, new RegExp(`^Environment=NODE_OPTIONS=${SHIPPED_NODE_ARGS}$`, 'm'));
  // A second run keeps the operator's edited configuration.
  fs.appendFileSync(dirs.ENV_FILE, 'INFLUX_URL=http://server:8086\n');
  const again = spawnSync('bash', [path.join(REPO_ROOT, 'deploy', 'install-pi.sh')], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH || '', NO_APT: '1', NO_NPM: '1', NO_USER: '1', NO_SYSTEMCTL: '1', ...dirs },
  });
  assert.equal(again.status, 0, again.stderr);
  assert.match(fs.readFileSync(dirs.ENV_FILE, 'utf8'), /INFLUX_URL=http:\/\/server:8086/);
});
