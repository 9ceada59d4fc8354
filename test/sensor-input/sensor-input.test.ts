/**
 * sensor-input inside Node-RED (node-red-node-test-helper): simulated messages,
 * start/stop, errors reaching a Catch node, and GPIO with absent hardware or a
 * fake pin.
 */
import { test, afterEach, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'fs';
import { helper, load, nodeModule, collect } from '../support/red';
import { tempDir } from '../support/services';
import { setGpioOpener } from '../../nodes/sensor-input/gpio-backend';
import { FakePin } from './fake-pin';

const catchNode = require('@node-red/nodes/core/common/25-catch.js');
const sensorInput = nodeModule('sensor-input');
const emptySysfs = tempDir('gpio-empty');

afterEach(async () => {
  setGpioOpener();
  await helper.unload();
});
after(() => fs.rmSync(emptySysfs, { recursive: true, force: true }));

const tab = { id: 't1', type: 'tab', label: 'test' };

function flow(props: Record<string, unknown>) {
  return [
    tab,
    { id: 's1', type: 'sensor-input', z: 't1', wires: [['out']], ...props },
    { id: 'out', type: 'helper', z: 't1' },
    { id: 'c1', type: 'catch', z: 't1', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 't1' },
  ];
}

/** Calls of a spied node method made by one node. */
function callsOf(nodeId: string, method: 'status' | 'warn' | 'error'): any[][] {
  const node = helper.getNode(nodeId);
  return node[method]
    .getCalls()
    .filter((c: any) => c.thisValue === node)
    .map((c: any) => c.args);
}

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('simulate: seed-shaped JSON strings on device topics, green status with msg/s', async () => {
  await load([sensorInput, catchNode], flow({ mode: 'simulate', profile: 'environmental', devices: '3', interval: 0.1, seed: 1 }));
  const msgs = await collect('out', 12, 10_000);
  const ids = new Set<string>();
  for (const m of msgs) {
    assert.match(m.topic, /^lifecompanion\/sensors\/ruuvi_00[123]\/environmental$/);
    assert.equal(typeof m.payload, 'string');
    const p = JSON.parse(m.payload);
    assert.equal(m.topic, `lifecompanion/sensors/${p.device_id}/environmental`);
    assert.ok(p.temperature >= 18 && p.temperature <= 25);
    assert.equal(m.sim.profile, 'environmental');
    ids.add(p.device_id);
  }
  assert.equal(ids.size, 3);
  await until(() => callsOf('s1', 'status').some(([s]) => s.fill === 'green' && /msg\/s · 3 devices/.test(s.text)), 8000, 'msg/s status');
  const rate = callsOf('s1', 'status')
    .map(([s]) => s.text)
    .filter((t) => /msg\/s/.test(t))
    .pop() as string;
  assert.ok(parseFloat(rate) > 10 && parseFloat(rate) < 60, `status "${rate}" (3 devices every 0.1 s)`);
});

test('stop and start messages pause and resume the fleet', async () => {
  await load([sensorInput, catchNode], flow({ mode: 'simulate', profile: 'esp32', devices: '2', interval: 0.05, seed: 2 }));
  const node = helper.getNode('s1');
  const out = helper.getNode('out');
  let count = 0;
  out.on('input', () => count++);
  await until(() => count >= 4, 8000, 'first messages');
  node.receive({ payload: 'stop' });
  await new Promise((r) => setTimeout(r, 100));
  const stoppedAt = count;
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(count, stoppedAt, 'nothing sent while stopped');
  assert.deepEqual(callsOf('s1', 'status').pop()?.[0], { text: 'stopped' });
  node.receive({ payload: 'start' });
  await until(() => count >= stoppedAt + 4, 8000, 'messages after start');
});

test('an unknown command and broken settings reach the Catch node', async () => {
  await load([sensorInput, catchNode], flow({ mode: 'simulate', devices: '0' }));
  const caught = collect('caught', 1, 5000);
  helper.getNode('s1').receive({ payload: 'explode' });
  const [msg] = await caught;
  assert.match(msg.error.message, /msg.payload must be "start" or "stop", got "explode"/);
  assert.deepEqual(callsOf('s1', 'status').pop()?.[0], { text: 'off: 0 devices' });
  await helper.unload();

  await load([sensorInput, catchNode], flow({ mode: 'simulate', interval: 0 }));
  assert.match(String(callsOf('s1', 'error')[0]?.[0]), /interval must be a number from 0.05 to 86400, got "0"/);
  assert.equal(callsOf('s1', 'status')[0]?.[0].fill, 'red');
  const again = collect('caught', 1, 5000);
  helper.getNode('s1').receive({ payload: 'start' });
  assert.match((await again)[0].error.message, /not running: fix its settings/);
});

test('gpio without hardware: warns once, grey status, flow keeps running', async () => {
  await load([sensorInput, catchNode], flow({ mode: 'gpio', pin: 17, sysfsRoot: emptySysfs }));
  const node = helper.getNode('s1');
  node.receive({ payload: 'stop' });
  node.receive({ payload: 'start' });
  node.receive({ payload: 'start' });
  await until(() => callsOf('s1', 'status').length >= 2, 3000, 'status');
  const warns = callsOf('s1', 'warn');
  assert.equal(warns.length, 1, JSON.stringify(warns));
  assert.match(String(warns[0][0]), /no GPIO here, input disabled: (onoff is not installed|GPIO is not accessible|no gpiochip under)/);
  const last = callsOf('s1', 'status').pop()?.[0];
  assert.equal(last.fill, 'grey');
  assert.equal(last.shape, 'ring');
  assert.equal(callsOf('s1', 'error').length, 0);
});

test('gpio with a (fake) pin: debounced presses become sensor_motion events', async () => {
  const pin = new FakePin(1); // pull-up: idle high
  let opened: [number, string] | undefined;
  setGpioOpener((bcm, root) => {
    opened = [bcm, root];
    return { ok: true, port: pin, detail: 'fake' };
  });
  await load(
    [sensorInput, catchNode],
    flow({
      mode: 'gpio',
      pin: 27,
      edge: 'rising',
      debounce: 20,
      activeLow: true,
      eventType: 'BUTTON_PRESSED',
      deviceId: 'raspberry-01',
      topic: 'sensors/{deviceId}/{sensorType}',
      sysfsRoot: '/tmp/fake',
    }),
  );
  assert.deepEqual(opened, [27, '/tmp/fake']);
  const got = collect('out', 2, 5000);
  for (let i = 0; i < 2; i++) {
    pin.set(0); // pressed, with a bounce
    pin.set(1);
    pin.set(0);
    await new Promise((r) => setTimeout(r, 60));
    pin.set(1); // released
    await new Promise((r) => setTimeout(r, 60));
  }
  const msgs = await got;
  for (const m of msgs) {
    assert.equal(m.topic, 'sensors/raspberry-01/button');
    const e = JSON.parse(m.payload);
    assert.match(e.event_id, /^evt-\d{10}-[a-z0-9]{6}$/);
    assert.deepEqual(
      { device_id: e.device_id, source: e.source, type: e.type, data: e.data },
      { device_id: 'raspberry-01', source: 'BUTTON', type: 'BUTTON_PRESSED', data: { gpio_pin: 27, state: 'HIGH' } },
    );
    assert.match(e.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
  }
  assert.notEqual(JSON.parse(msgs[0].payload).event_id, JSON.parse(msgs[1].payload).event_id);
  await helper.unload();
  assert.equal(pin.released, true, 'close releases the pin');
});
