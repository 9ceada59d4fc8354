/**
 * A reading without a device time, written and acknowledged, whose PUBACK never
 * reached the broker (the app died right after sending it): the broker sends it
 * again after the restart, and it must come out with the time it first had, so
 * it is written as the same point. A TCP proxy between the flow and a real
 * Mosquitto swallows the flow's PUBACKs to make that moment happen on purpose.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import mqtt from 'mqtt';
import { healthSnapshot } from '../../nodes/common/health';
import { collect, helper, load, mosquittoSuite, nodeModule } from '../support/red';
import { freePort, tempDir } from '../support/services';

const mqttNodes = require('@node-red/nodes/core/network/10-mqtt.js');
const { skip, broker } = mosquittoSuite();

/** Forwards both ways; with `blackhole` set, what the flow sends never reaches the broker. */
async function proxy(target: number): Promise<{ port: number; blackhole: boolean; cut(): void; close(): void }> {
  const port = await freePort();
  const sockets = new Set<net.Socket>();
  const state = {
    port,
    blackhole: false,
    cut: () => {
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    close: () => {
      state.cut();
      server.close();
    },
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(target, '127.0.0.1');
    sockets.add(client).add(upstream);
    upstream.on('data', (d) => client.write(d));
    client.on('data', (d) => {
      if (!state.blackhole) upstream.write(d);
    });
    for (const s of [client, upstream])
      s.on('error', () => undefined).on('close', () => {
        client.destroy();
        upstream.destroy();
      });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return state;
}

const flow = (port: number) => [
  { id: 'tab', type: 'tab', label: 'redelivery' },
  {
    id: 'b',
    type: 'mqtt-broker',
    broker: '127.0.0.1',
    port: String(port),
    clientid: 'rd',
    autoConnect: true,
    usetls: false,
    protocolVersion: '4',
    keepalive: '60',
    cleansession: true,
  },
  {
    id: 'in',
    type: 'sensor-input',
    z: 'tab',
    mode: 'mqtt',
    broker: 'b',
    topics: 'sensors/#',
    qos: '1',
    datatype: 'buffer',
    configVersion: 2,
    persistent: true,
    ack: 'durable',
    wires: [['norm']],
  },
  { id: 'norm', type: 'payload-normalizer', z: 'tab', catchRejects: false, wires: [['out'], []] },
  { id: 'out', type: 'helper', z: 'tab' },
];

test('a reading sent again after its PUBACK was lost keeps its first time', { skip, timeout: 60_000 }, async () => {
  process.env.DATA_DIR = tempDir('redelivery');
  const p = await proxy(broker().port);
  try {
    const modules = [mqttNodes, nodeModule('sensor-input'), nodeModule('payload-normalizer')];
    await load(modules, flow(p.port));
    const health = () => healthSnapshot().in;
    const until = async (what: string, cond: () => boolean) => {
      const end = Date.now() + 10_000;
      while (!cond()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await until('subscription', () => health()?.ok === true && /subscribed/.test(health()?.detail ?? ''));
    p.blackhole = true; // from here on the broker hears nothing from the flow
    const first = collect('out', 3, 10_000);
    const pub = await mqtt.connectAsync(broker().url);
    for (let i = 0; i < 3; i++)
      await pub.publishAsync(`sensors/raspberry-0${i}/motion`, JSON.stringify({ confidence: 0.9 + i / 100, location: 'entrance' }), { qos: 1 });
    const before = new Map((await first).map((m) => [m.payload.deviceId, m.payload.ts]));
    await new Promise((r) => setTimeout(r, 300)); // settled, PUBACKs sent into the void
    // The app dies: its connection drops without a word.
    p.cut();
    await helper.unload();
    p.blackhole = false;
    await new Promise((r) => setTimeout(r, 200));
    const again = new Promise<any[]>((resolve, reject) => {
      load(modules, flow(p.port)).then(() => collect('out', 3, 15_000).then(resolve, reject), reject);
    });
    const after = await again;
    await pub.endAsync();
    assert.equal(after.length, 3, 'the broker sent the three readings again');
    for (const m of after) assert.equal(m.payload.ts, before.get(m.payload.deviceId), `${m.payload.deviceId}: same time as the first time`);
  } finally {
    p.close();
  }
});
