/**
 * The project's Mosquitto configuration (docker/mosquitto) refuses wrong
 * credentials and a device publishing on another device's topic; its
 * WebSocket listener and its TLS listener (certificates from make-certs.sh)
 * take the same logins.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import mqtt from 'mqtt';
import { freePort, missing, startMosquitto, Service, which } from '../support/services';
import { REPO_ROOT } from '../support/red';

const skip = missing('mosquitto', 'mosquitto_passwd', 'openssl');
let broker: Service;
let wsPort = 0;
let tlsPort = 0;
let certs = '';

function projectConfig(dir: string): string {
  const conf = fs.readFileSync(path.join(REPO_ROOT, 'docker', 'mosquitto', 'mosquitto.conf'), 'utf8');
  fs.copyFileSync(path.join(REPO_ROOT, 'docker', 'mosquitto', 'acl'), path.join(dir, 'acl'));
  const passwd = which('mosquitto_passwd') as string;
  execFileSync(passwd, ['-b', '-c', path.join(dir, 'passwords'), 'nodered', 'server-secret']);
  execFileSync(passwd, ['-b', path.join(dir, 'passwords'), 'raspberry-01', 'device-secret']);
  return conf
    .replace(/^listener 1883$/m, 'listener {{port}} 127.0.0.1')
    .replace(/^listener 9001$/m, `listener ${wsPort} 127.0.0.1`)
    .replace(/^listener 8883$/m, `listener ${tlsPort} 127.0.0.1`)
    .replace(/\/mosquitto\/certs\//g, `${certs}/`)
    .replace(/\/mosquitto\/config\//g, `${dir}/`)
    .replace(/^persistence true$/m, 'persistence false')
    .replace(/^persistence_location .*$/m, '')
    .replace(/^log_dest stdout$/m, `log_dest file ${dir}/mosquitto.log`);
}

before(async () => {
  if (skip) return;
  const dir = fs.mkdtempSync('/tmp/iot-acl-');
  wsPort = await freePort();
  tlsPort = await freePort();
  certs = path.join(dir, 'certs');
  execFileSync('bash', [path.join(REPO_ROOT, 'docker', 'mosquitto', 'make-certs.sh'), certs, 'localhost', '127.0.0.1']);
  broker = await startMosquitto({ config: projectConfig(dir) });
});
after(async () => broker?.stop());

function connect(username: string, password: string): Promise<mqtt.MqttClient> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect(broker.url, { username, password, protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 5000 });
    c.once('connect', () => resolve(c));
    c.once('error', (err) => {
      c.end(true);
      reject(err);
    });
  });
}

test('wrong credentials and anonymous clients are refused', { skip }, async () => {
  await assert.rejects(connect('raspberry-01', 'wrong'), /Bad User Name or Password|Not authorized/i);
  await assert.rejects(connect('', ''), /Bad User Name or Password|Not authorized/i);
});

test("a device may publish its own sensor topics but not another device's", { skip }, async () => {
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

test('the WebSocket listener (9001 in compose) takes the same logins and ACL', { skip }, async () => {
  const url = `ws://127.0.0.1:${wsPort}/mqtt`;
  await assert.rejects(
    mqtt.connectAsync(url, { username: 'raspberry-01', password: 'wrong', reconnectPeriod: 0 }),
    /Bad User Name or Password|Not authorized/i,
  );
  const server = await mqtt.connectAsync(broker.url, { username: 'nodered', password: 'server-secret', reconnectPeriod: 0 });
  const device = await mqtt.connectAsync(url, { username: 'raspberry-01', password: 'device-secret', protocolVersion: 5, reconnectPeriod: 0 });
  try {
    const got = new Promise<string>((resolve) => server.on('message', (t) => resolve(t)));
    await server.subscribeAsync('sensors/#', { qos: 1 });
    await device.publishAsync('sensors/raspberry-01/motion', '{"confidence":0.95}', { qos: 1 });
    assert.equal(await got, 'sensors/raspberry-01/motion');
    await assert.rejects(device.publishAsync('sensors/raspberry-02/motion', '{}', { qos: 1 }), /Not authorized|135/i);
  } finally {
    server.end(true);
    device.end(true);
  }
});

test('the TLS listener (8883) presents the make-certs.sh certificate: trusted with its CA, refused without', { skip }, async () => {
  const url = `mqtts://localhost:${tlsPort}`;
  const ca = fs.readFileSync(path.join(certs, 'ca.crt'));
  await assert.rejects(
    mqtt.connectAsync(url, { username: 'nodered', password: 'server-secret', reconnectPeriod: 0 }),
    /self[- ]signed|unable to verify|certificate/i,
  );
  const c = await mqtt.connectAsync(url, { ca, username: 'nodered', password: 'server-secret', reconnectPeriod: 0 });
  assert.ok(c.connected);
  await c.endAsync();
  await assert.rejects(mqtt.connectAsync(url, { ca, username: 'nodered', password: 'wrong', reconnectPeriod: 0 }), /Bad User Name or Password|Not authorized/i);
});

test('the app (nodered) may publish the relay command topics and no other firmware command; a device reads its esp32 control topic', { skip }, async () => {
  const server = await connect('nodered', 'server-secret');
  const device = await connect('raspberry-01', 'device-secret');
  try {
    for (const t of [
      'cmnd/plug/POWER1',
      'cmnd/plug/POWER8',
      'shellies/shelly1-a/relay/0/command',
      'shellyplus1-a8/rpc',
      'esp-relay/switch/relay/command',
      'zigbee2mqtt/kitchen plug/set',
      'zigbee2mqtt/floor/kitchen/set',
    ]) {
      await server.publishAsync(t, 'ON', { qos: 1 });
    }
    // One refused publish per connection: Mosquitto 2.0.11 with max_inflight_messages 0 answers only the first.
    for (const t of ['cmnd/plug/Backlog', 'cmnd/plug/Reset', 'zigbee2mqtt/bridge/request/permit_join', 'shellies/shelly1-a/relay/0']) {
      const c = await connect('nodered', 'server-secret');
      try {
        await assert.rejects(c.publishAsync(t, 'x', { qos: 1 }), /Not authorized|135/i, t);
      } finally {
        c.end(true);
      }
    }
    const other = await connect('raspberry-01', 'device-secret');
    try {
      await assert.rejects(other.publishAsync('cmnd/plug/POWER1', 'ON', { qos: 1 }), /Not authorized|135/i);
    } finally {
      other.end(true);
    }
    const got: string[] = [];
    device.on('message', (topic) => got.push(topic));
    await device.subscribeAsync(['commands/esp32/raspberry-01/control', 'commands/esp32/raspberry-02/control'], { qos: 1 });
    await server.publishAsync('commands/esp32/raspberry-02/control', '{}', { qos: 1 });
    await server.publishAsync('commands/esp32/raspberry-01/control', '{}', { qos: 1 });
    await device.publishAsync('commands/esp32/raspberry-01/control/ack', '{"id":"x","status":"executed"}', { qos: 1 });
    const end = Date.now() + 3000;
    while (got.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(got, ['commands/esp32/raspberry-01/control']);
  } finally {
    server.end(true);
    device.end(true);
  }
});
