/** Component health: reported under an id, redacted, stamped, cleared on close. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clearHealth, healthSnapshot, reportHealth } from '../../nodes/common/health';

test('a report shows in the snapshot with its time; a later one replaces it; clear removes it', () => {
  const before = Date.now();
  reportHealth('health-test-1', { kind: 'influxdb-writer', ok: true, detail: 'writing', figures: { queue: 3 } });
  const e = healthSnapshot()['health-test-1'];
  assert.deepEqual({ ...e, updated: 0 }, { kind: 'influxdb-writer', ok: true, detail: 'writing', figures: { queue: 3 }, updated: 0 });
  assert.ok(e.updated >= before && e.updated <= Date.now());
  reportHealth('health-test-1', { kind: 'influxdb-writer', ok: false, detail: 'spooling' });
  assert.deepEqual([healthSnapshot()['health-test-1'].ok, healthSnapshot()['health-test-1'].detail], [false, 'spooling']);
  clearHealth('health-test-1');
  assert.equal(healthSnapshot()['health-test-1'], undefined);
});

test('the detail is redacted: no password reaches /health/ready', () => {
  reportHealth('health-test-2', { kind: 'mqtt-input', ok: false, detail: 'cannot reach mqtt://bob:s3cr3t-pass@broker:1883' });
  assert.doesNotMatch(healthSnapshot()['health-test-2'].detail, /s3cr3t-pass/);
  assert.match(healthSnapshot()['health-test-2'].detail, /cannot reach mqtt:\/\/bob:\*\*\*@broker/);
  clearHealth('health-test-2');
});
