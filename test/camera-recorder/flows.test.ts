/**
 * flows/surveillance.json and flows/pi-device.json: their structure, and each
 * file running in node-red-node-test-helper against a real Mosquitto and the
 * system ffmpeg (test pattern). Debug nodes and the alert-notifier (another
 * node's job) are swapped for helper nodes so the test sees what they receive.
 */
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'fs';
import path from 'path';
import mqtt from 'mqtt';
import { collect, helper, load, nodeModule, REPO_ROOT, startServer, stopServer } from '../support/red';
import { missing, Service, startMosquitto, tempDir } from '../support/services';

type FlowNode = { id: string; type: string; z?: string; wires?: string[][]; [k: string]: any };
const readFlow = (name: string): FlowNode[] => JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'flows', name), 'utf8'));
const core = (file: string): unknown => require(path.join(path.dirname(require.resolve('@node-red/nodes/package.json')), 'core', file));
const CORE = [
  'network/10-mqtt.js',
  'function/10-switch.js',
  'function/rbe.js',
  'function/15-change.js',
  'common/60-link.js',
  'common/21-debug.js',
  'common/90-comment.js',
].map(core);

const skip = missing('mosquitto', 'ffmpeg', 'ffprobe');
let broker: Service | undefined;
process.env.DATA_DIR = tempDir('flows-data');

before(async () => {
  if (skip) return;
  broker = await startMosquitto();
  process.env.MQTT_BROKER_URL = broker.url;
  await startServer();
});
afterEach(() => helper.unload());
after(async () => {
  if (!skip) await stopServer();
  await broker?.stop();
});

for (const [file, label, version] of [
  ['surveillance.json', 'Surveillance', '1.3.0'],
  ['pi-device.json', 'Raspberry Pi device', '1.2.0'],
]) {
  test(`${file}: one versioned tab, every node on it, wires and config nodes resolve`, () => {
    const flow = readFlow(file);
    const tabs = flow.filter((n) => n.type === 'tab');
    assert.equal(tabs.length, 1);
    assert.equal(tabs[0].label, label);
    assert.deepEqual(tabs[0].env[0], { name: 'FLOW_VERSION', value: version, type: 'str' });
    assert.match(tabs[0].info, new RegExp(`## Changelog\\n- ${version.replace(/\./g, '\\.')}`));
    const ids = new Set(flow.map((n) => n.id));
    assert.equal(ids.size, flow.length, 'unique ids');
    for (const n of flow) {
      assert.notEqual(n.id, n.type, `${n.id}: an id equal to its type is never started by Node-RED 4.1`);
      if (n.type === 'tab' || n.type === 'mqtt-broker') continue;
      assert.equal(n.z, tabs[0].id, `${n.id} on the tab`);
      assert.ok(typeof n.x === 'number' && typeof n.y === 'number', `${n.id} has a position`);
      for (const out of n.wires || []) for (const t of out) assert.ok(ids.has(t), `${n.id} -> ${t}`);
      if (n.broker) assert.equal(n.broker, 'mqtt-default');
    }
    assert.equal(flow.find((n) => n.type === 'mqtt-broker')?.broker, '${MQTT_BROKER_URL}');
    // Only Readings with an event reach the tab (the normalizer's output 4); the switch keeps motion.
    if (file === 'surveillance.json') {
      const linkIn = flow.find((n) => n.id === 'readings-in-surveillance')!;
      assert.deepEqual([linkIn.links, linkIn.wires], [['events-out'], [['sv-is-motion']]]);
      const motion = flow.find((n) => n.id === 'sv-is-motion')!;
      assert.deepEqual([motion.type, motion.property, motion.wires], ['switch', 'payload.event.type', [['sv-camera']]]);
    }
  });
}

function prepare(flow: FlowNode[], swap: string[], edit: Record<string, Record<string, unknown>> = {}): FlowNode[] {
  return flow.map((n) => {
    const m = { ...n, ...(edit[n.id] || {}) };
    return swap.includes(n.id) ? { id: n.id, type: 'helper', z: n.z, x: n.x, y: n.y, wires: [] } : m;
  });
}

async function connected(): Promise<void> {
  for (let i = 0; i < 100 && !helper.getNode('mqtt-default')?.connected; i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(helper.getNode('mqtt-default')?.connected, 'flow connected to the broker');
  await new Promise((r) => setTimeout(r, 300)); // subscriptions
}

test('surveillance.json: motion Reading -> recording -> Alert with the thumbnail; servo command -> ack -> executed', { skip, timeout: 60_000 }, async () => {
  const flow = prepare(readFlow('surveillance.json'), ['sv-notifier', 'recordings-to-storage', 'servo-status-out', 'sv-errors'], {
    'sv-camera': { source: 'testsrc', resolution: '320x240', duration: 2 },
  });
  await load([...CORE, nodeModule('camera-recorder'), nodeModule('servo-command')], flow);
  await connected();

  // a fake device answers servo commands over MQTT
  const device = mqtt.connect(broker!.url);
  await device.subscribeAsync('commands/+/servo');
  device.on('message', (topic, raw) => {
    const c = JSON.parse(raw.toString());
    device.publish(`${topic}/ack`, JSON.stringify({ id: c.id, status: 'executed', angle: c.params.angle }));
  });
  try {
    const alertP = collect('sv-notifier', 1, 30_000);
    const storedP = collect('recordings-to-storage', 1, 30_000);
    const errors: any[] = [];
    helper.getNode('sv-errors').on('input', (m: any) => errors.push(m.error));
    const now = Date.now();
    helper
      .getNode('readings-in-surveillance')
      .receive({ payload: { deviceId: 'raspberry-1', sensorType: 'temperature', ts: now, metrics: { t: 20 }, received: now } });
    helper.getNode('readings-in-surveillance').receive({
      topic: 'sensor/motion',
      payload: {
        deviceId: 'raspberry-1',
        sensorType: 'motion',
        ts: now,
        metrics: { motion: 1 },
        event: { id: 'evt-1737123456-abc123', type: 'motion_detected' },
        received: now,
      },
    });
    const [[alert], [stored]] = await Promise.all([alertP, storedP]);
    assert.deepEqual(
      [alert.payload.id, alert.payload.ruleId, alert.payload.deviceId, alert.payload.severity, alert.payload.state],
      [`rec-${alert.recording.id}`, 'motion-recording', 'camera1', 'warning', 'firing'],
    );
    assert.equal(typeof alert.payload.since, 'number');
    assert.match(alert.payload.text, /s clip was recorded after event evt-1737123456-abc123\./);
    assert.ok(fs.statSync(alert.recording.thumbnail).size > 0, 'thumbnail exists');
    assert.equal(stored.payload.sensorType, 'recording');
    assert.equal(stored.topic, 'sensors/camera1/recording');

    const statusP = collect('servo-status-out', 2, 15_000);
    helper
      .getNode('servo-control-in')
      .receive({ topic: 'servo/raspberry-01', payload: { deviceId: 'raspberry-01', direction: 'center', source: 'dashboard' } });
    const statuses = await statusP;
    assert.deepEqual(
      statuses.map((m) => m.payload.status),
      ['sent', 'executed'],
    );
    assert.equal(statuses[1].payload.params.angle, 90);
    assert.deepEqual(errors, [], 'no errors caught');
  } finally {
    await device.endAsync();
  }
});

test('pi-device.json: servo command -> PWM folder -> ack; record command -> metadata Reading on MQTT', { skip, timeout: 60_000 }, async () => {
  const sysfs = tempDir('pi-pwm');
  fs.mkdirSync(path.join(sysfs, 'pwmchip0', 'pwm0'), { recursive: true });
  for (const f of ['export', 'pwm0/period', 'pwm0/duty_cycle', 'pwm0/enable']) fs.writeFileSync(path.join(sysfs, 'pwmchip0', f), '0');
  const flow = prepare(readFlow('pi-device.json'), ['pi-pir', 'pi-mat', 'pi-errors'], {
    'pi-servo': { pwmRoot: sysfs },
    'pi-camera': { source: 'testsrc', resolution: '320x240', duration: 2 },
  });
  await load([...CORE, nodeModule('camera-recorder'), nodeModule('servo-command')], flow);
  await connected();
  const client = mqtt.connect(broker!.url);
  const got: Array<{ topic: string; payload: any }> = [];
  client.on('message', (topic, raw) => got.push({ topic, payload: JSON.parse(raw.toString()) }));
  await client.subscribeAsync(['commands/+/servo/ack', 'sensors/#']);
  const wait = async (pred: () => boolean, ms: number) => {
    for (let t = 0; t < ms && !pred(); t += 100) await new Promise((r) => setTimeout(r, 100));
  };
  try {
    client.publish('commands/raspberry-01/servo', '{"direction": "left"}');
    client.publish('commands/raspberry-02/servo', '{"direction": "right"}'); // another Pi's command
    client.publish('commands/raspberry-02/record', '{"action": "start"}');
    client.publish('commands/raspberry-01/record', '{"action": "start", "duration": 2}');
    await wait(() => got.some((m) => m.topic === 'sensors/raspberry-01/recording'), 30_000);
    const acks = got.filter((m) => m.topic.endsWith('/ack'));
    assert.deepEqual(
      acks.map((m) => `${m.topic} ${m.payload.status}`),
      ['commands/raspberry-01/servo/ack acknowledged', 'commands/raspberry-01/servo/ack executed'],
    );
    assert.equal(fs.readFileSync(path.join(sysfs, 'pwmchip0', 'pwm0', 'duty_cycle'), 'utf8'), '2500000');
    const rec = got.filter((m) => m.topic === 'sensors/raspberry-01/recording');
    assert.equal(rec.length, 1, 'one recording: raspberry-02 commands are not ours');
    assert.equal(rec[0].payload.deviceId, 'raspberry-01');
    assert.ok(rec[0].payload.metrics.duration_s > 1 && rec[0].payload.metrics.size_bytes > 1000, JSON.stringify(rec[0].payload));
    const media = fs.readdirSync(path.join(process.env.DATA_DIR!, 'media'));
    assert.ok(media.includes('raspberry-01') && !media.includes('raspberry-02'), media.join());
  } finally {
    await client.endAsync();
  }
});
