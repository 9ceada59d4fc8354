import assert from 'node:assert/strict';
import test from 'node:test';
import { readiness } from '../../app/health';
import { clearHealth, reportHealth } from '../../nodes/common/health';

const view = (brokers: Record<string, boolean>, started = true) => ({ started: () => started, brokers: () => brokers });

test('ready needs started flows, connected brokers and no failing InfluxDB writer', () => {
  try {
    assert.equal(readiness(view({ b: true })).status, 'ready');
    assert.deepEqual(readiness(view({ b: false })).reasons, ['MQTT broker b not connected']);
    assert.deepEqual(readiness(view({}, false)).reasons, ['flows not started yet']);

    reportHealth('w1', { kind: 'influxdb-writer', ok: false, detail: 'InfluxDB unavailable', figures: { configured: 1 } });
    const failing = readiness(view({ b: true }));
    assert.equal(failing.status, 'not ready');
    assert.deepEqual(failing.reasons, ['InfluxDB writer w1: InfluxDB unavailable']);

    // Spooling because no database is configured yet is the designed default: a warning only.
    reportHealth('w1', { kind: 'influxdb-writer', ok: false, detail: 'no database configured', figures: { configured: 0 } });
    const unconfigured = readiness(view({ b: true }));
    assert.equal(unconfigured.status, 'ready');
    assert.deepEqual(unconfigured.warnings, ['InfluxDB writer w1: no database configured']);

    // Other components do not decide readiness.
    reportHealth('n1', { kind: 'alert-notifier', ok: false, detail: 'SMTP down' });
    assert.equal(readiness(view({ b: true })).status, 'ready');

    // An MQTT subscription of a sensor-input node is a broker connection too.
    reportHealth('s1', { kind: 'mqtt-input', ok: false, detail: 'not connected to mqtt://broker:1883: ECONNREFUSED' });
    assert.deepEqual(readiness(view({ b: true })).reasons, ['MQTT input s1: not connected to mqtt://broker:1883: ECONNREFUSED']);
    reportHealth('s1', { kind: 'mqtt-input', ok: true, detail: 'subscribed to sensors/#' });
    assert.equal(readiness(view({ b: true })).status, 'ready');
  } finally {
    clearHealth('w1');
    clearHealth('n1');
    clearHealth('s1');
  }
});

test('before the flows start, readiness is "starting" and never asks the runtime (its node registry throws then)', () => {
  const throwing = {
    started: () => false,
    brokers: (): Record<string, boolean> => {
      throw new TypeError("Cannot read properties of null (reading 'allNodes')");
    },
  };
  assert.deepEqual(readiness(throwing), { status: 'starting', reasons: ['flows not started yet'], warnings: [] });
  const afterStart = readiness({ ...throwing, started: () => true });
  assert.equal(afterStart.status, 'not ready');
  assert.deepEqual(afterStart.reasons, ["runtime not available: Cannot read properties of null (reading 'allNodes')"]);
});
