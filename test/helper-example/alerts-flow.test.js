/*
 * Testing a whole flow file with node-red-node-test-helper: the package's
 * "alerts" example (Import > Examples) loaded as it ships, with its debug
 * nodes swapped for helper nodes so the test can see what they receive.
 * Run with mocha (`npm run test:mocha`), as threshold-alert.test.js.
 */
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const helper = require('node-red-node-test-helper');
const { validateAlert } = require('node-red-iot-flow-engine');
const { allNodeModules, example } = require('node-red-iot-flow-engine/testing');

helper.init(require.resolve('node-red'));

// Node-RED core nodes that the flow file uses besides ours.
const core = (file) => require(require.resolve(`@node-red/nodes/core/${file}`));
const coreNodes = ['common/60-link.js', 'common/21-debug.js', 'common/25-catch.js', 'common/90-comment.js', 'function/10-switch.js', 'function/15-change.js', 'network/10-mqtt.js'].map(core);

/** The example with every debug node replaced by a helper node of the same id. */
function alertsFlow() {
  return example('alerts').map((n) => (n.type === 'debug' ? { id: n.id, z: n.z, type: 'helper' } : n));
}

describe('the alerts example flow (test helper example)', function () {
  let stateDir;
  before(function (done) {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alerts-flow-'));
    helper.settings({ userDir: stateDir });
    helper.startServer(done);
  });
  after(function (done) {
    helper.settings({});
    fs.rmSync(stateDir, { recursive: true, force: true });
    helper.stopServer(done);
  });
  afterEach(function () {
    return helper.unload();
  });

  // The notifier groups alerts for groupWaitS (5 s in the example) before it sends: mocha's timeout is 20 s (.mocharc.json).
  it('turns a low battery reading into a firing alert and a notification', async function () {
    await helper.load([...allNodeModules(), ...coreNodes], alertsFlow());
    const alert = new Promise((resolve) => helper.getNode('debug-alerts').once('input', resolve));
    const notification = new Promise((resolve) => helper.getNode('debug-notifications').once('input', resolve));
    // Readings reach this tab through its link-in node, from the telemetry flow.
    helper.getNode('readings-in-alerts').receive({
      topic: 'sensors/tag-7/ruuvi',
      payload: { deviceId: 'tag-7', sensorType: 'ruuvi', ts: Date.now(), received: Date.now(), metrics: { battery: 10 } },
    });
    const a = validateAlert((await alert).payload);
    assert.equal(a.ruleId, 'battery-low');
    assert.equal(a.state, 'firing');
    // With WEBHOOK_URL and ALERT_EMAIL_TO unset the notifier reports each channel as skipped, with the reason.
    const n = await notification;
    assert.match(n.topic, /^notification\/(sent|skipped|failed)$/);
    assert.equal(n.payload.ref.alertId, a.id);
    assert.equal(n.payload.ref.event, 'fired');
  });
});
