/**
 * examples/ (Import > Examples) is built from flows/ and dashboards/: one
 * example per file, the same nodes except the shared config nodes, which
 * point at localhost instead of variables only the launcher sets (issue 14).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import { checkFlows, documentedEnv, knownTypes, loadFlowFiles } from '../../scripts/check-flows';
import { DASHBOARD_PACKAGE, exampleName } from '../../scripts/build-examples';
import { REPO_ROOT } from '../support/red';

const examples = path.join(REPO_ROOT, 'examples');
const read = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as Array<Record<string, unknown> & { id: string; type: string }>;

test('every flow file has its example, identical but for the config nodes and the dashboard note', () => {
  const sources = loadFlowFiles();
  assert.ok(sources.length >= 7);
  const names = fs.readdirSync(examples).sort();
  assert.deepEqual(names, sources.map((s) => `${exampleName(s.file, s.nodes as never)}.json`).sort());
  for (const src of sources) {
    const ex = read(path.join(examples, `${exampleName(src.file, src.nodes as never)}.json`));
    const byId = new Map(ex.map((n) => [n.id, n]));
    for (const n of src.nodes as Array<{ id: string; type: string; z?: string }>) {
      const e = byId.get(n.id);
      assert.ok(e, `${src.file}: ${n.id} missing from the example`);
      if (n.type === 'tab') assert.deepEqual({ ...e, info: '' }, { ...n, info: '' }, `${src.file}: ${n.id} drifted`);
      else if (n.z || !['mqtt-broker', 'iot-influxdb-config', 'iot-smtp-config'].includes(n.type)) assert.deepEqual(e, n, `${src.file}: ${n.id} drifted`);
    }
    const configs = JSON.stringify(ex.filter((n) => !n.z && n.type !== 'tab'));
    assert.doesNotMatch(configs, /\$\{MQTT_BROKER_URL\}|\$\{INFLUX_URL\}/, `${src.file}: a variable only the launcher sets`);
    for (const b of ex.filter((n) => n.type === 'mqtt-broker')) assert.deepEqual([b.broker, b.port], ['localhost', '1883']);
    for (const db of ex.filter((n) => n.type === 'iot-influxdb-config')) assert.equal(db.url, 'http://localhost:8086');
  }
});

test('the dashboard example says it needs Dashboard 2.0; no other example uses ui-* nodes', () => {
  for (const name of fs.readdirSync(examples)) {
    const ex = read(path.join(examples, name));
    const ui = ex.some((n) => n.type.startsWith('ui-'));
    assert.equal(ui, /needs-dashboard-2/.test(name), name);
    if (ui)
      assert.ok(
        ex.some((n) => n.type === 'comment' && String(n.name).includes(DASHBOARD_PACKAGE)),
        `${name} names ${DASHBOARD_PACKAGE}`,
      );
  }
});

test('the examples pass the flow checker (known types, links, config references)', () => {
  const files = fs.readdirSync(examples).map((f) => ({ file: `examples/${f}`, nodes: read(path.join(examples, f)) }));
  const problems = checkFlows(files, { knownTypes: knownTypes(), documentedEnv: documentedEnv() });
  assert.deepEqual(problems, []);
});

test('package.json ships examples/ and declares its entry points', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  assert.ok(pkg.files.includes('examples'));
  assert.equal(pkg.exports['.'].default, './dist/nodes/index.js');
  // Self-reference through "exports", as a tester's project resolves the package.
  const api = require('node-red-iot-flow-engine');
  assert.equal(typeof api.isReading, 'function');
  assert.equal(api.isReading({ deviceId: 'd', sensorType: 's', ts: 1, received: 1, metrics: { t: 1 } }), true);
  assert.equal(api.isReading({ deviceId: 'd', sensorType: 's', ts: 1, received: 1, metrics: { t: 'x' } }), false);
  assert.equal(new api.ActivityClassifier().options.walkStd, api.ACTIVITY_DEFAULTS.walkStd, 'the activity classifier is exported');
  const testing = require('node-red-iot-flow-engine/testing');
  assert.deepEqual(Object.keys(testing.nodeFiles()).sort(), Object.keys(pkg['node-red'].nodes).sort());
  assert.throws(() => testing.nodeModule('influxdb-config'), /no node type "influxdb-config"/);
});
