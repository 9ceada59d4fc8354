/*
 * Testing one node with node-red-node-test-helper, as its README shows, for a
 * project that installed node-red-iot-flow-engine. Plain JavaScript, written
 * for mocha (`npx mocha test/*.test.js`); this repository has no mocha, so
 * `npm test` runs the same file with node:test, whose describe/it the line
 * below picks when mocha's globals are absent. See docs/testing.md.
 */
'use strict';
const { describe, it, before, after, beforeEach, afterEach } = globalThis.describe ? globalThis : require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const helper = require('node-red-node-test-helper');
// The package's own entry points: no dist/ paths.
const { validateAlert } = require('node-red-iot-flow-engine');
const { nodeModule } = require('node-red-iot-flow-engine/testing');

helper.init(require.resolve('node-red'));

const thresholdAlert = nodeModule('threshold-alert');
const RULES = [{ id: 'hot', metric: 'temperature', operator: '>', threshold: 25, clear: 24, severity: 'warning' }];
const flow = [
  { id: 'tab', type: 'tab', label: 'test' },
  { id: 'alerts', z: 'tab', type: 'threshold-alert', rules: JSON.stringify(RULES), wires: [['out'], []] },
  { id: 'out', z: 'tab', type: 'helper' },
];
const reading = (temperature) => ({ payload: { deviceId: 'room-1', sensorType: 'dht22', ts: Date.now(), received: Date.now(), metrics: { temperature } } });

describe('threshold-alert (test helper example)', () => {
  let stateDir;
  // Hooks return promises: mocha and node:test both wait for them (their done callbacks differ).
  before(() => new Promise((resolve) => helper.startServer(resolve)));
  after(() => new Promise((resolve) => helper.stopServer(resolve)));
  beforeEach(() => {
    // The node keeps its alerts on disk (they survive restarts). Give every test a fresh
    // folder, or a firing alert saved by one test comes back in the next one.
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alerts-test-'));
    helper.settings({ userDir: stateDir });
  });
  afterEach(async () => {
    await helper.unload();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('fires an Alert when a reading crosses the threshold', async () => {
    await helper.load(thresholdAlert, flow);
    const got = new Promise((resolve) => helper.getNode('out').once('input', resolve));
    helper.getNode('alerts').receive(reading(31));
    const msg = await got;
    const alert = validateAlert(msg.payload); // throws if the message breaks the Alert contract
    assert.equal(alert.ruleId, 'hot');
    assert.equal(alert.state, 'firing');
    assert.equal(alert.value, 31);
  });

  it('starts clean in the next test: nothing fires below the threshold', async () => {
    await helper.load(thresholdAlert, flow);
    let fired = 0;
    helper.getNode('out').on('input', () => { fired++; });
    helper.getNode('alerts').receive(reading(20));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(fired, 0);
    assert.equal(fs.existsSync(path.join(process.cwd(), 'alerts')), false, 'no state in the current directory');
  });
});
