/**
 * The project's Mosquitto configuration (docker/mosquitto) refuses wrong
 * credentials and a device publishing on another device's topic.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import mqtt from 'mqtt';
import { missing, startMosquitto, Service, which } from '../support/services';
import { REPO_ROOT } from '../support/red';

const skip = missing('mosquitto', 'mosquitto_passwd');
let broker: Service;

function projectConfig(dir: string): string {
  const conf = fs.readFileSync(path.join(REPO_ROOT, 'docker', 'mosquitto', 'mosquitto.conf'), 'utf8');
  fs.copyFileSync(path.join(REPO_ROOT, 'docker', 'mosquitto', 'acl'), path.join(dir, 'acl'));
  const passwd = which('mosquitto_passwd') as string;
  execFileSync(passwd, ['-b', '-c', path.join(dir, 'passwords'), 'nodered', 'server-secret']);
  execFileSync(passwd, ['-b', path.join(dir, 'passwords'), 'raspberry-01', 'device-secret']);
  return conf
    .replace(/^listener 1883$/m, 'listener {{port}} 127.0.0.1')
    .replace(/\/mosquitto\/config\//g, `${dir}/`)
    .replace(/^persistence true$/m, 'persistence false')
    .replace(/^persistence_location .*$/m, '')
    .replace(/^log_dest stdout$/m, `log_dest file ${dir}/mosquitto.log`);
}

before(async () => {
  if (skip) return;
  const dir = fs.mkdtempSync('/tmp/iot-acl-');
  broker = await startMosquitto({ config: projectConfig(dir) });
});
after(async () => broker?.stop());

function connect(username: string, password: string): Promise<mqtt.MqttClient> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect(broker.url, { username, password, protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 5000 });
    c.once('connect', () => resolve(c));
    c.once('error', (err) => { c.end(true); reject(err); });
  });
}

test('wrong credentials and anonymous clients are refused', { skip }, async () => {
  await assert.rejects(connect('raspberry-01', 'wrong'), /Bad User Name or Password|Not authorized/i);
  await assert.rejects(connect('', ''), /Bad User Name or Password|Not authorized/i);
});

test('a device may publish its own sensor topics but not another device\'s', { skip }, async () => {
  const server = await connect('nodered', 'server-secret');
  const device = await connect('raspberry-01', 'device-secret');
  try {
    const seen: string[] = [];
    server.on('message', (topic) => seen.push(topic));
    await server.subscribeAsync('sensors/#', { qos: 1 });
    await device.publishAsync('sensors/raspberry-01/motion', '{"confidence":0.95}', { qos: 1 });
    // MQTT 5 tells the publisher: reason code 135 (not authorized) on the PUBACK.
    await assert.rejects(device.publishAsync('sensors/raspberry-02/motion', '{"confidence":0.95}', { qos: 1 }), /Not authorized|135/i);
    const end = Date.now() + 3000;
    while (!seen.includes('sensors/raspberry-01/motion') && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(seen, ['sensors/raspberry-01/motion']);
  } finally {
    server.end(true);
    device.end(true);
  }
});

test('a device reads only its own commands', { skip }, async () => {
  const server = await connect('nodered', 'server-secret');
  const device = await connect('raspberry-01', 'device-secret');
  try {
    const got: string[] = [];
    device.on('message', (topic) => got.push(topic));
    const granted = await device.subscribeAsync(['commands/raspberry-01/servo', 'commands/raspberry-02/servo'], { qos: 1 });
    await server.publishAsync('commands/raspberry-02/servo', '{"direction":"left"}', { qos: 1 });
    await server.publishAsync('commands/raspberry-01/servo', '{"direction":"left"}', { qos: 1 });
    const end = Date.now() + 3000;
    while (got.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(got, ['commands/raspberry-01/servo']);
    // Mosquitto grants the subscription but never delivers what the ACL forbids.
    assert.equal(granted.length, 2);
  } finally {
    server.end(true);
    device.end(true);
  }
});
