/*
 * Testing one node with node-red-node-test-helper, as its README shows, for a
 * project that installed node-red-iot-flow-engine: plain JavaScript, mocha's
 * describe/it, the helper's server started once, helper.unload() after each
 * test. `npm run test:mocha` runs this folder twice in a row (see
 * .mocharc.json and docs/testing.md): the second run must find no state left
 * by the first.
 */
'use strict';
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
  { id: 'alerts', z: 'tab', type: 'threshold-alert', name: 'room alerts', rules: JSON.stringify(RULES), wires: [['out'], []] },
  { id: 'out', z: 'tab', type: 'helper' },
];
const reading = (temperature) => ({ payload: { deviceId: 'room-1', sensorType: 'dht22', ts: Date.now(), received: Date.now(), metrics: { temperature } } });
const nextMessage = (id) => new Promise((resolve) => helper.getNode(id).once('input', resolve));

describe('threshold-alert (test helper example)', function () {
  before(function (done) {
    helper.startServer(done);
  });

  after(function (done) {
    helper.stopServer(done);
  });

  afterEach(function () {
    return helper.unload();
  });

  it('should be loaded', function (done) {
    helper.load(thresholdAlert, flow, function () {
      try {
        assert.equal(helper.getNode('alerts').name, 'room alerts');
        done();
      } catch (err) {
        done(err);
      }
    });
  });

  // No state folder is set here, as in a first test anyone writes: the node keeps its alerts in a
  // temporary folder of this process. Were they kept in the current directory (issue 14), the
  // second `mocha` run would restore this firing alert and no new Alert would come out.
  it('fires an Alert when a reading crosses the threshold', async function () {
    await helper.load(thresholdAlert, flow);
    const got = nextMessage('out');
    helper.getNode('alerts').receive(reading(31));
    const alert = validateAlert((await got).payload); // throws if the message breaks the Alert contract
    assert.equal(alert.ruleId, 'hot');
    assert.equal(alert.state, 'firing');
    assert.equal(alert.value, 31);
    assert.equal(fs.existsSync(path.join(process.cwd(), 'alerts')), false, 'no state in the current directory');
  });

  describe('with a state folder of its own per test', function () {
    let stateDir;
    beforeEach(function () {
      // Alerts survive a restart (unload + load) on purpose. A fresh folder per test keeps tests independent.
      stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alerts-test-'));
      helper.settings({ userDir: stateDir });
    });
    afterEach(async function () {
      await helper.unload();
      helper.settings({});
      fs.rmSync(stateDir, { recursive: true, force: true });
    });

    it('keeps a firing alert through a restart', async function () {
      await helper.load(thresholdAlert, flow);
      const fired = nextMessage('out');
      helper.getNode('alerts').receive(reading(31));
      assert.equal((await fired).payload.state, 'firing');
      await helper.unload();
      await helper.load(thresholdAlert, flow);
      // Restored from the folder: the cleared reading resolves the alert from before the restart.
      const resolved = nextMessage('out');
      helper.getNode('alerts').receive(reading(20));
      const alert = validateAlert((await resolved).payload);
      assert.equal(alert.state, 'resolved');
      assert.equal(alert.ruleId, 'hot');
    });

    it('starts clean in the next test: nothing fires below the threshold', async function () {
      await helper.load(thresholdAlert, flow);
      let fired = 0;
      helper.getNode('out').on('input', () => { fired++; });
      helper.getNode('alerts').receive(reading(20));
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(fired, 0);
    });
  });
});
