/**
 * flows/telemetry.json: its structure (one versioned tab, shared ids, the
 * subscriptions), and the whole file running in node-red-node-test-helper
 * against a real Mosquitto: simulated devices of every profile publish, the
 * mqtt in nodes receive, the payload-normalizer turns them into Readings that
 * leave through the link out `readings-out`.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'fs';
import path from 'path';
import { helper, load, nodeModule, REPO_ROOT } from '../support/red';
import { missing, startMosquitto, type Service } from '../support/services';
import { compileTopic } from '../../nodes/common/topic';
import { parseTopics } from '../../nodes/sensor-input/config';
import { loadCorpora } from '../payload-normalizer/corpus';
import { defaultSubscriptions } from '../../nodes/payload-normalizer/decoders/index';

const FLOW_FILE = path.join(REPO_ROOT, 'flows', 'telemetry.json');
/**
 * Id of the shared MQTT broker config node. Not "mqtt-broker": Node-RED 4.1 never
 * starts a config node whose id equals its type (Flow.start reads the `type`
 * property as a reference to a config node with that id and reports a circular
 * dependency), so every mqtt in/out would stay disconnected.
 */
const BROKER_ID = 'mqtt-default';
const coreNode = (file: string): unknown => require(path.join(path.dirname(require.resolve('@node-red/nodes/package.json')), 'core', file));

type FlowNode = { id: string; type: string; z?: string; wires?: string[][]; [k: string]: any };
const readFlow = (): FlowNode[] => JSON.parse(fs.readFileSync(FLOW_FILE, 'utf8'));

test('telemetry.json: one versioned tab, shared ids, every seed topic family, no command topics', () => {
  const flow = readFlow();
  const tabs = flow.filter((n) => n.type === 'tab');
  assert.equal(tabs.length, 1);
  const tab = tabs[0];
  assert.equal(tab.label, 'Telemetry');
  assert.equal(tab.env.length, 1);
  assert.equal(tab.env[0].name, 'FLOW_VERSION');
  assert.match(tab.env[0].value, /^\d+\.\d+\.\d+$/);
  assert.match(tab.info, /## Changelog/);
  for (const n of flow) {
    if (n.type === 'tab' || n.type === 'mqtt-broker') assert.equal(n.z, undefined, n.id);
    else assert.equal(n.z, tab.id, `${n.id} is on the tab`);
    assert.notEqual(n.id, n.type, `node id "${n.id}" equals its type: Node-RED would not start it`);
  }
  assert.equal(new Set(flow.map((n) => n.id)).size, flow.length, 'ids are unique');
  const ids = new Set(flow.map((n) => n.id));
  for (const n of flow) for (const out of n.wires || []) for (const target of out) assert.ok(ids.has(target), `${n.id} -> ${target}`);

  assert.deepEqual(
    flow.find((n) => n.id === BROKER_ID),
    {
      id: BROKER_ID,
      type: 'mqtt-broker',
      name: 'Broker (MQTT_URL)',
      broker: '${MQTT_BROKER_URL}',
      port: '',
      clientid: '',
      autoConnect: true,
      usetls: false,
      protocolVersion: '4',
      keepalive: '60',
      cleansession: true,
      autoUnsubscribe: true,
    },
  );
  const sim = flow.find((n) => n.type === 'sensor-input' && n.mode === 'simulate')!;
  assert.deepEqual([sim.mode, sim.profile, sim.devices, Number(sim.interval)], ['simulate', 'all', '${SIMULATE_DEVICES}', 5]);
  const out = flow.find((n) => n.id === sim.wires![0][0])!;
  assert.deepEqual([out.type, out.broker, out.topic], ['mqtt out', BROKER_ID, '']);
  const normalizer = flow.find((n) => n.id === 'normalizer')!;
  assert.equal(normalizer.type, 'payload-normalizer');
  assert.deepEqual(normalizer.wires, [['readings-out'], ['debug-rejects'], ['activity'], ['events-out']]);
  assert.equal(normalizer.readingsBatchMs, 100, 'storage gets the Readings in batches (Node-RED routing paid per batch)');
  // The batches pass through the activity classifier (which adds activity and fall Readings) to
  // alerts and dashboard; the derived Readings alone go to storage.
  const activity = flow.find((n) => n.id === 'activity')!;
  assert.equal(activity.type, 'activity-classifier');
  assert.deepEqual(activity.wires, [['reading-batches-out'], ['readings-out']]);
  assert.equal(flow.find((n) => n.id === normalizer.wires![1][0])?.type, 'debug');
  // One message per Reading to storage only (the durable acknowledgement follows it); batches
  // to alerts and dashboard; Readings with an event to surveillance.
  const links = (id: string) => flow.find((n) => n.id === id && n.type === 'link out')?.links;
  assert.deepEqual(links('readings-out'), ['readings-in-storage']);
  assert.deepEqual(links('reading-batches-out'), ['readings-in-alerts', 'readings-in-dashboard']);
  assert.deepEqual(links('events-out'), ['readings-in-surveillance']);
  const catchNode = flow.find((n) => n.type === 'catch')!;
  assert.equal(flow.find((n) => n.id === catchNode.wires![0][0])?.type, 'debug');

  // One MQTT subscription node (sensor-input, MQTT mode) with every seed family; no stock mqtt in.
  assert.equal(flow.filter((n) => n.type === 'mqtt in').length, 0);
  const ingest = flow.filter((n) => n.type === 'sensor-input' && n.mode === 'mqtt');
  assert.equal(ingest.length, 1);
  const sub = ingest[0];
  const topics = parseTopics(sub.topics);
  for (const seed of ['devices/+/telemetry', 'lifecompanion/sensors/#', 'sensor/#', 'sensors/#']) assert.ok(topics.includes(seed), `subscribes to ${seed}`);
  assert.equal(sub.broker, BROKER_ID);
  assert.equal(sub.qos, '1');
  assert.ok(['auto-detect', 'buffer'].includes(sub.datatype));
  assert.deepEqual(sub.wires, [['normalizer']]);
  // It follows Home Assistant discovery, and hears the announcements it follows.
  assert.deepEqual([sub.followDiscovery, sub.discoveryTopicsMax], [true, 1000]);
  for (const f of ['homeassistant/+/+/config', 'homeassistant/+/+/+/config']) assert.ok(topics.includes(f), `subscribes to ${f}`);
  const filters = topics.map((t) => compileTopic(t));
  const seen = (topic: string) => filters.some((f) => f.match(topic));
  for (const topic of [
    'lifecompanion/sensors/ruuvi_001/environmental',
    'lifecompanion/sensors/accel_001/activity',
    'sensors/esp32/ESP32_001/data',
    'sensor/motion',
    'sensor/button',
    'sensor/pressure',
    'sensors/raspberry-01/motion',
    'sensors/raspberry-01/button',
    'devices/3f2b/telemetry',
  ])
    assert.ok(seen(topic), `subscribed to ${topic}`);
  for (const topic of [
    'commands/raspberry-01/servo',
    'commands/esp32/ESP32_001/control',
    'lifecompanion/devices/ruuvi_001/commands',
    'devices/3f2b/commands',
    'devices/3f2b/commands/ack',
    'devices/3f2b/config',
    'lifecompanion/system/health',
    // Firmware command topics: never subscribed.
    'cmnd/tasmota/POWER',
    'cmnd/tasmotas/Backlog',
    'v3/app1@ttn/devices/dev1/down/push',
    'v3/app1@ttn/devices/dev1/down/replace',
    'application/1/device/0202020202020202/command/down',
    'owntracks/jane/phone/cmd',
    'shellyplus1pm-441793d69718/rpc',
    'livingroom/switch/living_room_dehumidifier/command',
  ])
    assert.ok(!seen(topic), `not subscribed to ${topic}`);
  // Every firmware decoder's default filters are in the flow, as written.
  for (const filter of defaultSubscriptions()) assert.ok(topics.includes(filter), `subscribes to ${filter}`);
  // A reading from every firmware ecosystem of the corpus reaches the normalizer (the generic layout is opt-in).
  for (const c of loadCorpora()) {
    if (c.ecosystem === 'generic') continue;
    const readings = c.messages.filter((m) => m.expected !== undefined && !m.notInShippedFlow);
    assert.ok(readings.length > 0, c.ecosystem);
    for (const m of readings) assert.ok(seen(m.topic), `${c.ecosystem}: subscribed to ${m.topic}`);
  }
});

const skip = missing('mosquitto');
let broker: Service | undefined;
after(async () => {
  await helper.unload();
  await broker?.stop();
});

/** Which simulated device kind a message on `topic` came from. */
function profileOf(topic: string): string | undefined {
  if (/^lifecompanion\/sensors\/[^/]+\/environmental$/.test(topic)) return 'environmental';
  if (/^lifecompanion\/sensors\/[^/]+\/activity$/.test(topic)) return 'activity';
  if (/^sensors\/esp32\/[^/]+\/data$/.test(topic)) return 'esp32';
  if (/^sensor\/(motion|button|pressure)$/.test(topic)) return 'surveillance';
  if (/^sensors\/raspberry-[^/]+\/(motion|button)$/.test(topic)) return 'raspberry';
  if (/^devices\/[^/]+\/telemetry$/.test(topic)) return 'telemetry';
  return undefined;
}

test('telemetry.json runs: simulated devices of every profile arrive as Readings at readings-out', { skip, timeout: 90_000 }, async () => {
  broker = await startMosquitto();
  process.env.MQTT_BROKER_URL = broker.url;
  process.env.SIMULATE_DEVICES = '2';

  const flow = readFlow();
  const tabId = flow.find((n) => n.type === 'tab')!.id;
  // Same file, faster clock: readings every 0.5 s and events every second on average.
  const sim = flow.find((n) => n.type === 'sensor-input' && n.mode === 'simulate')!;
  Object.assign(sim, { interval: 0.5, eventMean: 1, seed: 20251115 });
  flow.push(
    { id: 'readings-in-storage', type: 'link in', z: tabId, name: 'test sink', links: ['readings-out'], wires: [['readings']] },
    { id: 'readings', type: 'helper', z: tabId },
    { id: 'rejects', type: 'helper', z: tabId },
  );
  // One message per Reading here, so each keeps its topic (the shipped batches reach storage
  // in the app's tests: test/durability, test/app/ecosystems-e2e).
  Object.assign(
    flow.find((n) => n.id === 'normalizer')!,
    { readingsBatchMs: 0 },
  );
  flow.find((n) => n.id === 'normalizer')!.wires![1].push('rejects');

  await load(
    [
      coreNode('network/10-mqtt.js'),
      coreNode('common/60-link.js'),
      coreNode('common/21-debug.js'),
      coreNode('common/25-catch.js'),
      coreNode('common/90-comment.js'),
      nodeModule('sensor-input'),
      nodeModule('payload-normalizer'),
      nodeModule('activity'),
    ],
    flow,
  );

  const byProfile = new Map<string, any[]>();
  const rejects: any[] = [];
  helper.getNode('rejects').on('input', (msg: any) => rejects.push(msg));
  const allSeen = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(
            `profiles with Readings after 60 s: ${[...byProfile.keys()].join(', ') || 'none'}; ` +
              `rejects: ${rejects
                .slice(0, 3)
                .map((m) => `${m.topic} ${JSON.stringify(m.error)}`)
                .join(' | ')}`,
          ),
        ),
      60_000,
    );
    helper.getNode('readings').on('input', (msg: any) => {
      const p = profileOf(msg.topic);
      if (!p) return;
      byProfile.set(p, [...(byProfile.get(p) || []), msg]);
      if (byProfile.size === 6 && [...byProfile.values()].every((l) => l.length >= 2)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  await allSeen;

  for (const [profile, msgs] of byProfile) {
    for (const { payload: r, topic } of msgs) {
      assert.equal(typeof r.deviceId, 'string', `${profile} deviceId`);
      assert.ok(r.deviceId.length > 0);
      assert.equal(typeof r.sensorType, 'string');
      assert.ok(Number.isFinite(r.ts) && Math.abs(r.ts - Date.now()) < 86_400_000 * 2, `${profile} ts ${r.ts}`);
      assert.ok(Number.isFinite(r.received));
      assert.ok(r.metrics && typeof r.metrics === 'object', `${profile} metrics`);
      for (const [k, v] of Object.entries(r.metrics)) assert.ok(Number.isFinite(v), `${profile} ${k}=${v}`);
      assert.ok(Object.keys(r.metrics).length > 0 || r.event, `${profile} carries metrics or an event (${topic})`);
    }
  }
  const first = (p: string) => byProfile.get(p)![0].payload;
  assert.match(first('environmental').deviceId, /^ruuvi_00[12]$/);
  const env = byProfile.get('environmental')!.map((m) => m.payload.metrics.temperature);
  assert.ok(
    env.every((t: number) => t >= 18 && t <= 25),
    `temperatures ${env}`,
  );
  assert.match(first('activity').deviceId, /^accel_00[12]$/);
  assert.match(first('esp32').deviceId, /^ESP32_00[12]$/);
  assert.ok(
    byProfile.get('esp32')!.every((m) => Number.isFinite(m.payload.metrics.heart_rate)),
    'ESP32 heart_rate',
  );
  assert.match(first('telemetry').deviceId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.ok(
    byProfile.get('telemetry')!.every((m) => Number.isFinite(m.payload.metrics.temperature)),
    'telemetry temperature',
  );
  for (const { payload: r } of byProfile.get('surveillance')!) {
    assert.match(r.deviceId, /^raspberry-[12]$/);
    assert.match(r.event?.id, /^evt-\d+-[a-z0-9]{6}$/);
    assert.ok(['motion_detected', 'button_pressed'].includes(r.event?.type), r.event?.type);
  }
  for (const { payload: r } of byProfile.get('raspberry')!) assert.match(r.deviceId, /^raspberry-0[12]$/);
  assert.deepEqual(
    rejects.map((m) => `${m.topic} ${JSON.stringify(m.error)}`),
    [],
    'no clean simulated payload is rejected',
  );
});

test('telemetry.json with fault injection: malformed payloads end on the rejects output, good ones still flow', { skip, timeout: 90_000 }, async () => {
  await helper.unload();
  broker ??= await startMosquitto();
  process.env.MQTT_BROKER_URL = broker.url;
  process.env.SIMULATE_DEVICES = '3';
  const flow = readFlow();
  const tabId = flow.find((n) => n.type === 'tab')!.id;
  Object.assign(
    flow.find((n) => n.type === 'sensor-input' && n.mode === 'simulate')!,
    { profile: 'environmental', interval: 0.2, malformed: 0.4, seed: 7 },
  );
  flow.push(
    { id: 'readings-in-storage', type: 'link in', z: tabId, links: ['readings-out'], wires: [['readings']] },
    { id: 'readings', type: 'helper', z: tabId },
    { id: 'rejects', type: 'helper', z: tabId },
    { id: 'errors', type: 'helper', z: tabId },
  );
  // One message per Reading here, so each keeps its topic (the shipped batches reach storage
  // in the app's tests: test/durability, test/app/ecosystems-e2e).
  Object.assign(
    flow.find((n) => n.id === 'normalizer')!,
    { readingsBatchMs: 0 },
  );
  flow.find((n) => n.id === 'normalizer')!.wires![1].push('rejects');
  flow.find((n) => n.type === 'catch')!.wires![0].push('errors');
  await load(
    [
      coreNode('network/10-mqtt.js'),
      coreNode('common/60-link.js'),
      coreNode('common/21-debug.js'),
      coreNode('common/25-catch.js'),
      coreNode('common/90-comment.js'),
      nodeModule('sensor-input'),
      nodeModule('payload-normalizer'),
      nodeModule('activity'),
    ],
    flow,
  );
  const readings: any[] = [];
  const rejects: any[] = [];
  const errors: any[] = [];
  helper.getNode('readings').on('input', (m: any) => readings.push(m));
  helper.getNode('rejects').on('input', (m: any) => rejects.push(m));
  helper.getNode('errors').on('input', (m: any) => errors.push(m));
  const end = Date.now() + 60_000;
  while ((readings.length < 10 || rejects.length < 10) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  assert.ok(readings.length >= 10, `${readings.length} readings`);
  assert.ok(rejects.length >= 10, `${rejects.length} rejects`);
  for (const m of rejects) {
    assert.match(m.topic, /^lifecompanion\/sensors\/ruuvi_00[123]\/environmental$/);
    assert.ok(m.error && typeof m.error.message === 'string' && m.error.message.length > 0, JSON.stringify(m.error));
  }
  // A wrong-typed value ("n/a") may be dropped by the normalizer while the rest of the reading is kept.
  for (const m of readings) {
    const t = m.payload.metrics.temperature;
    assert.ok(t === undefined || (t >= 18 && t <= 25), JSON.stringify(m.payload));
  }
  assert.ok(readings.filter((m) => m.payload.metrics.temperature !== undefined).length >= 5);
  assert.ok(errors.length > 0, 'rejects also reach the Catch node');
});
