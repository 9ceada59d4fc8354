/**
 * The flow files: structure (one tab, FLOW_VERSION, changelog, z, wiring,
 * shared ids, no secrets) and two runs with real parts:
 * - event-bridge.json as shipped: Mosquitto -> mqtt in -> payload-normalizer ->
 *   mapping function -> alert-notifier (event mode) -> a real HTTP backend,
 *   including a backend outage (no event lost, none twice);
 * - its Pi seed half: sensors/{device_id}/motion|button -> the seed's
 *   {type, device_id, details} at the same backend, bad payloads to Catch;
 * - alerts.json as shipped: link in -> threshold-alert -> alert-notifier ->
 *   real SMTP server (SMTP_URL with user:pass) and a real webhook receiver.
 */
import jsonata from 'jsonata';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'fs';
import path from 'path';
import { tempDir, missing, startMosquitto, Service } from '../support/services';

const DATA = tempDir('notifier-flows');
process.env.DATA_DIR = DATA;

import { helper, load, nodeModule, REPO_ROOT } from '../support/red';
import { DEFAULTS as NORMALIZER_DEFAULTS } from '../../nodes/payload-normalizer/config';
import { HttpReceiver, SmtpReceiver, waitFor } from './receivers';

type FlowNode = { id: string; type: string; z?: string; wires?: string[][]; [k: string]: unknown };
const readFlow = (name: string): FlowNode[] => JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'flows', name), 'utf8'));
const core = (p: string): unknown => require(`@node-red/nodes/core/${p}`);
/** Debug nodes become helper nodes so the test can listen to them. */
const testable = (flow: FlowNode[]): FlowNode[] => flow.map((n) => (n.type === 'debug' ? { id: n.id, type: 'helper', z: n.z, wires: [] } : n));
const haveNode = (name: string): boolean => fs.existsSync(path.join(REPO_ROOT, 'dist', 'nodes', name, `${name}.js`));

for (const file of ['alerts.json', 'event-bridge.json']) {
  test(`${file}: one tab with FLOW_VERSION and a changelog; every node on it; wires resolve; no secrets`, () => {
    const flow = readFlow(file);
    const tabs = flow.filter((n) => n.type === 'tab');
    assert.equal(tabs.length, 1);
    const tab = tabs[0] as FlowNode & { env: Array<{ name: string; value: string }>; info: string };
    assert.match(tab.env.find((e) => e.name === 'FLOW_VERSION')?.value ?? '', /^\d+\.\d+\.\d+$/);
    assert.match(tab.info, /## Changelog/);
    const ids = new Set(flow.map((n) => n.id));
    assert.equal(ids.size, flow.length, 'ids unique');
    for (const n of flow) {
      if (n.type === 'tab') continue;
      const isConfig = n.type === 'iot-smtp-config' || n.type === 'mqtt-broker';
      assert.equal(n.z, isConfig ? undefined : tab.id, `${n.id} z`);
      for (const out of n.wires ?? []) for (const target of out) assert.ok(ids.has(target), `${n.id} wired to missing ${target}`);
      // Config references resolve inside the file, so it imports on its own.
      for (const ref of ['smtp', 'broker'])
        if (typeof n[ref] === 'string' && n[ref] && n.type !== 'mqtt-broker')
          assert.ok(ids.has(n[ref] as string), `${n.id}.${ref} -> missing ${String(n[ref])}`);
    }
    const text = JSON.stringify(flow);
    assert.ok(!/"(password|secret|user|credentials)"\s*:/.test(text), 'no credentials in the flow file');
    assert.ok(!/:\/\/[^/"$]+:[^/"@$]+@/.test(text), 'no user:pass in URLs');
  });
}

test('alerts.json wires readings-in-alerts -> threshold-alert -> alert-notifier with smtp-default', () => {
  const flow = readFlow('alerts.json');
  const byId = new Map(flow.map((n) => [n.id, n]));
  const linkIn = byId.get('readings-in-alerts')!;
  assert.equal(linkIn.type, 'link in');
  assert.deepEqual(linkIn.links, ['reading-batches-out']);
  assert.deepEqual(linkIn.wires, [['threshold-alert']]);
  const ta = byId.get('threshold-alert')!;
  assert.equal(ta.type, 'threshold-alert');
  assert.equal(ta.wires!.length, 2);
  // Only transitions (msg.event set) reach the notifier; list answers go to the dashboard alone.
  assert.ok(ta.wires![0].includes('alert-transitions'));
  assert.deepEqual(byId.get('alert-transitions')!.wires, [['alert-notifier']]);
  const an = byId.get('alert-notifier')!;
  assert.equal(an.smtp, 'smtp-default');
  assert.equal(an.email, true);
  assert.equal(an.webhook, true);
  assert.equal(an.url, '${WEBHOOK_URL}');
  assert.equal(an.to, '${ALERT_EMAIL_TO}');
  assert.equal(byId.get('smtp-default')!.url, '${SMTP_URL}');
});

test('event-bridge.json: the seed topics, the shared broker, a normalizer with the default settings written out (outputs 1 and 2 wired), event mode to ${EVENTS_URL}', async () => {
  const flow = readFlow('event-bridge.json');
  const byId = new Map(flow.map((n) => [n.id, n]));
  // Each MQTT in node's topic is a tab variable (JSONata): the plain filter, or $share/<group>/<filter> with MQTT_SHARE_GROUP.
  const tabEnv = flow.find((n) => n.type === 'tab')!.env as Array<{ name: string; value: string; type: string }>;
  const topics = async (group: string | undefined): Promise<string[]> =>
    Promise.all(
      flow
        .filter((n) => n.type === 'mqtt in')
        .map(async (n) => {
          const v = tabEnv.find((e) => `\${${e.name}}` === n.topic);
          assert.equal(v?.type, 'jsonata', `${n.id}: topic ${String(n.topic)} is a JSONata tab variable`);
          const expr = jsonata(v!.value);
          expr.registerFunction('env', (name: string) => (name === 'MQTT_SHARE_GROUP' ? group : undefined));
          return String(await expr.evaluate({}));
        }),
    ).then((l) => l.sort());
  const plain = ['sensor/button', 'sensor/motion', 'sensor/pressure', 'sensors/+/button', 'sensors/+/motion'];
  assert.deepEqual(await topics(undefined), plain);
  assert.deepEqual(await topics(''), plain);
  assert.deepEqual(
    await topics('iot'),
    plain.map((t) => `$share/iot/${t}`),
  );
  // Same broker config as flows/telemetry.json (id "mqtt-broker" would equal its type, which
  // Node-RED 4.1 rejects as a circular config dependency).
  assert.ok(flow.filter((n) => n.type === 'mqtt in').every((n) => n.broker === 'mqtt-default'));
  const telemetry = fs.existsSync(path.join(REPO_ROOT, 'flows', 'telemetry.json'))
    ? readFlow('telemetry.json').find((n) => n.id === 'mqtt-default')
    : undefined;
  if (telemetry) assert.deepEqual(byId.get('mqtt-default'), telemetry, "identical to the telemetry flow's copy");
  assert.deepEqual(byId.get('mqtt-default'), {
    id: 'mqtt-default',
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
  });
  const norm = flow.find((n) => n.type === 'payload-normalizer')!;
  // Every setting its dialog shows, at the runtime's defaults (editor validity, issue 18).
  for (const [key, value] of Object.entries(NORMALIZER_DEFAULTS)) assert.deepEqual(norm[key], value, `normalizer ${key}`);
  // One wires entry per output, as the editor saves it; the batch and event outputs are not used here.
  assert.equal(norm.wires!.length, 4);
  assert.deepEqual(norm.wires!.slice(2), [[], []]);
  const notifier = byId.get('bridge-notifier')!;
  assert.equal(notifier.mode, 'event');
  assert.equal(notifier.url, '${EVENTS_URL}');
  assert.equal(notifier.email, false);
});

let mosquitto: Service | undefined;
const backend = new HttpReceiver('bridge-secret');
const smtp = new SmtpReceiver({ user: 'mailer', password: 'pw-from-url' });
const hooks = new HttpReceiver('alerts-secret');

before(async () => {
  await backend.start();
  await smtp.start();
  await hooks.start();
  await new Promise<void>((r) => helper.startServer(() => r()));
});
after(async () => {
  await helper.unload();
  await new Promise<void>((r) => helper.stopServer(() => r()));
  await backend.stop();
  await smtp.stop();
  await hooks.stop();
  await mosquitto?.stop();
  fs.rmSync(DATA, { recursive: true, force: true });
});

const bridgeSkip = missing('mosquitto') ?? (haveNode('payload-normalizer') ? undefined : 'payload-normalizer is not built');

test(
  "event bridge: seed MQTT events reach POST /api/events in the seed's shape, and survive a backend outage",
  { skip: bridgeSkip, timeout: 90_000 },
  async () => {
    mosquitto = await startMosquitto();
    process.env.MQTT_BROKER_URL = mosquitto.url;
    process.env.EVENTS_URL = `${backend.url}/api/events`;
    process.env.WEBHOOK_SECRET = 'bridge-secret';
    const nodes = [
      core('network/10-mqtt.js'),
      core('function/10-function.js'),
      core('common/25-catch.js'),
      nodeModule('payload-normalizer'),
      nodeModule('alert-notifier'),
    ];
    await load(nodes, testable(readFlow('event-bridge.json')));
    delete process.env.WEBHOOK_SECRET;
    const mqtt = require('mqtt') as typeof import('mqtt');
    const client = await mqtt.connectAsync(mosquitto.url);
    try {
      await waitFor(
        'the bridge subscriptions',
        () => (helper.getNode('bridge-mqtt-1') as { brokerConn?: { connected?: boolean } }).brokerConn?.connected === true,
        20_000,
      );
      await new Promise((r) => setTimeout(r, 500));
      const motion = {
        event_id: 'evt-1737123456-abc123',
        device_id: 'raspberry-1',
        source: 'PIR',
        type: 'MOTION_DETECTED',
        data: { gpio_pin: 17, state: 'HIGH' },
        timestamp: '2025-01-15T14:30:45.123456Z',
      };
      await client.publishAsync('sensor/motion', JSON.stringify(motion), { qos: 1 });
      await waitFor('the motion event at the backend', () => backend.requests.length === 1, 20_000);
      const req = backend.requests[0];
      assert.equal(req.method, 'POST');
      assert.equal(req.url, '/api/events');
      assert.deepEqual(req.json, {
        type: 'motion_detected',
        device_id: 'raspberry-1',
        details: {
          event_id: 'evt-1737123456-abc123',
          source: 'PIR',
          data: { gpio_pin: 17, state: 'HIGH' },
          original_timestamp: '2025-01-15T14:30:45.123Z',
          mqtt_topic: 'sensor/motion',
        },
      });
      assert.equal(req.headers['idempotency-key'], 'raspberry-1:evt-1737123456-abc123');
      assert.equal(req.signatureOk, true);

      // Backend down: the seed lost these ("L'événement est PERDU"); here they wait on disk.
      await backend.stop();
      const sent: string[] = [];
      for (let i = 0; i < 6; i++) {
        const type = ['BUTTON_PRESSED', 'PRESSURE_DETECTED', 'MOTION_DETECTED'][i % 3];
        const topic = ['sensor/button', 'sensor/pressure', 'sensor/motion'][i % 3];
        const id = `evt-down-${i}`;
        sent.push(id);
        await client.publishAsync(
          topic,
          JSON.stringify({ event_id: id, device_id: 'raspberry-1', source: 'GPIO', type, data: { n: i }, timestamp: new Date().toISOString() }),
          { qos: 1 },
        );
      }
      const outbox = path.join(DATA, 'outbox', 'bridge-notifier');
      await waitFor('6 events in the outbox', () => fs.readdirSync(outbox).filter((f) => f.endsWith('.item.json')).length === 6, 20_000);
      await new Promise((r) => setTimeout(r, 3000));
      await backend.start(backend.port);
      await waitFor('7 events at the backend', () => backend.requests.length >= 7, 90_000);
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(backend.requests.length, 7, 'each event once');
      const got = backend.requests.slice(1).map((r) => (r.json as { details: { event_id: string } }).details.event_id);
      assert.deepEqual(got, sent, 'in order');
      const types = backend.requests.slice(1).map((r) => (r.json as { type: string }).type);
      assert.deepEqual(
        types,
        ['button_pressed', 'button_pressed', 'motion_detected', 'button_pressed', 'button_pressed', 'motion_detected'],
        'PRESSURE_DETECTED maps to button_pressed',
      );
    } finally {
      await client.endAsync();
      await helper.unload();
      delete process.env.EVENTS_URL;
    }
  },
);

test(
  "event bridge: the Pi seed's sensors/{device_id}/motion and /button reach POST /api/events as {type, device_id, details}",
  { skip: bridgeSkip, timeout: 60_000 },
  async () => {
    mosquitto ??= await startMosquitto();
    process.env.MQTT_BROKER_URL = mosquitto.url;
    process.env.EVENTS_URL = `${backend.url}/api/events`;
    backend.requests.length = 0;
    const nodes = [
      core('network/10-mqtt.js'),
      core('function/10-function.js'),
      core('common/25-catch.js'),
      nodeModule('payload-normalizer'),
      nodeModule('alert-notifier'),
    ];
    await load(nodes, testable(readFlow('event-bridge.json')));
    const mqtt = require('mqtt') as typeof import('mqtt');
    const client = await mqtt.connectAsync(mosquitto.url);
    const errors: string[] = [];
    helper.getNode('bridge-debug-errors').on('input', (msg: { error?: { message?: string } }) => errors.push(msg.error?.message || ''));
    try {
      await waitFor(
        'the Pi bridge subscriptions',
        () => (helper.getNode('bridge-pi-button') as { brokerConn?: { connected?: boolean } }).brokerConn?.connected === true,
        20_000,
      );
      await new Promise((r) => setTimeout(r, 500));
      // The seed's Test 1, twice the same press: two events, two keys.
      await client.publishAsync('sensors/raspberry-01/motion', '{"confidence": 0.95, "location": "entrance"}', { qos: 1 });
      await client.publishAsync('sensors/raspberry-01/button', '{"pressure": "high", "duration_ms": 500}', { qos: 1 });
      await client.publishAsync('sensors/raspberry-01/button', '{"pressure": "high", "duration_ms": 500}', { qos: 1 });
      await client.publishAsync('sensors/raspberry-02/motion', 'not json', { qos: 1 });
      await client.publishAsync('sensors/raspberry-02/temperature', '{"value": 21}', { qos: 1 });
      await waitFor('3 Pi events at the backend', () => backend.requests.length >= 3, 20_000);
      await waitFor('the bad payload at the Catch node', () => errors.length >= 1, 5_000);
      await new Promise((r) => setTimeout(r, 500));
      const bodies = backend.requests.map((r) => r.json).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
      assert.deepEqual(bodies, [
        { type: 'button_pressed', device_id: 'raspberry-01', details: { pressure: 'high', duration_ms: 500 } },
        { type: 'button_pressed', device_id: 'raspberry-01', details: { pressure: 'high', duration_ms: 500 } },
        { type: 'motion_detected', device_id: 'raspberry-01', details: { confidence: 0.95, location: 'entrance' } },
      ]);
      assert.ok(backend.requests.every((r) => r.method === 'POST' && r.url === '/api/events'));
      const keys = backend.requests.map((r) => String(r.headers['idempotency-key']));
      assert.equal(new Set(keys).size, 3, `one key per event: ${keys.join(', ')}`);
      assert.match(keys.find((k) => k.includes(':motion:')) || '', /^raspberry-01:motion:/);
      assert.equal(errors.length, 1);
      assert.match(errors[0], /sensors\/raspberry-02\/motion: payload must be a JSON object/);
    } finally {
      await client.endAsync();
      await helper.unload();
      delete process.env.EVENTS_URL;
    }
  },
);

const alertsSkip = haveNode('threshold-alert') ? undefined : 'threshold-alert is not built';

test(
  'alerts flow: a low battery reading fires an alert that arrives by email (SMTP_URL auth) and signed webhook',
  { skip: alertsSkip, timeout: 60_000 },
  async () => {
    process.env.SMTP_URL = `smtp://mailer:pw-from-url@127.0.0.1:${smtp.port}`;
    process.env.ALERT_EMAIL_TO = 'ops@example.com';
    process.env.ALERT_EMAIL_FROM = 'iot@example.com';
    process.env.WEBHOOK_URL = `${hooks.url}/alerts`;
    process.env.WEBHOOK_SECRET = 'alerts-secret';
    process.env.MQTT_BROKER_URL = 'mqtt://127.0.0.1:1';
    const nodes = [
      core('common/60-link.js'),
      core('common/25-catch.js'),
      core('common/90-comment.js'),
      core('function/10-switch.js'),
      core('function/15-change.js'),
      core('network/10-mqtt.js'),
      nodeModule('threshold-alert'),
      nodeModule('alert-notifier'),
      require('../../nodes/alert-notifier/smtp-config'),
    ];
    try {
      await load(nodes, testable(readFlow('alerts.json')));
      const now = Date.now();
      helper
        .getNode('readings-in-alerts')
        .receive({ topic: 'sensors/esp32-07/esp32', payload: { deviceId: 'esp32-07', sensorType: 'esp32', ts: now, metrics: { battery: 12 }, received: now } });
      await waitFor('an email and a webhook', () => smtp.mails.length === 1 && hooks.requests.length === 1, 30_000);
      const mail = smtp.mails[0];
      assert.equal(mail.user, 'mailer', 'logged in with the user from SMTP_URL');
      assert.deepEqual(mail.to, ['ops@example.com']);
      assert.equal(mail.from, 'iot@example.com');
      assert.match(mail.headers.subject, /^\[WARNING\] .*\(fired\)$/);
      const hook = hooks.requests[0];
      assert.equal(hook.signatureOk, true);
      const body = hook.json as { event: string; alert: { ruleId: string; deviceId: string; state: string; value: number } };
      assert.equal(body.event, 'fired');
      assert.equal(body.alert.ruleId, 'battery-low');
      assert.equal(body.alert.deviceId, 'esp32-07');
      assert.equal(body.alert.state, 'firing');
      assert.equal(body.alert.value, 12);
    } finally {
      await helper.unload();
      for (const k of ['SMTP_URL', 'ALERT_EMAIL_TO', 'ALERT_EMAIL_FROM', 'WEBHOOK_URL', 'WEBHOOK_SECRET']) delete process.env[k];
    }
  },
);
