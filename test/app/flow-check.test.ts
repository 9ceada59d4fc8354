import assert from 'node:assert/strict';
import test from 'node:test';
import { checkFlows, documentedEnvFromReadme, runCheck } from '../../scripts/check-flows';
import { editorDefs } from '../../scripts/editor-defs';
import { REPO_ROOT } from '../support/red';
import path from 'node:path';

const ctx = { knownTypes: new Set(['debug', 'mqtt-broker', 'mqtt in', 'link out', 'link in']), documentedEnv: new Set(['MQTT_BROKER_URL']) };
const tab = { id: 't', type: 'tab', env: [{ name: 'FLOW_VERSION', value: '1.0.0' }], info: '## Changelog\n- 1.0.0 first' };

test('a clean file passes', () => {
  const nodes = [
    tab,
    { id: 'b', type: 'mqtt-broker', broker: '${MQTT_BROKER_URL}' },
    { id: 'i', type: 'mqtt in', z: 't', broker: 'b', wires: [['d']] },
    { id: 'd', type: 'debug', z: 't', wires: [] },
  ];
  assert.deepEqual(checkFlows([{ file: 'ok.json', nodes }], ctx), []);
});

test('each rule reports its problem', () => {
  const nodes = [
    { id: 't', type: 'tab', env: [], info: '' },
    { id: 'x', type: 'mystery', z: 't', wires: [['gone']] },
    { id: 'i', type: 'mqtt in', z: 't', broker: 'nope', password: 'hunter2', wires: [] },
    { id: 'c', type: 'debug', z: 't', credentials: { user: 'a' }, topic: '${UNDOCUMENTED}' },
    { id: 'l', type: 'link out', z: 't', links: ['missing-link'] },
  ];
  const problems = checkFlows([{ file: 'bad.json', nodes }], ctx).join('\n');
  for (const expected of [
    /FLOW_VERSION/,
    /Changelog/,
    /mystery.*unknown node type/,
    /wired to gone/,
    /broker refers to config node nope/,
    /"password" holds a literal value/,
    /holds credentials/,
    /UNDOCUMENTED/,
    /links to missing-link/,
  ]) {
    assert.match(problems, expected);
  }
});

test('documented variables come from the first column of README tables', () => {
  const env = documentedEnvFromReadme('| variable | meaning |\n| --- | --- |\n| `PORT`, `HOST` | port |\n| x | `NOT_ME` |\n');
  assert.deepEqual([...env].sort(), ['HOST', 'PORT']);
});

test("the project's own flow files pass the check", () => {
  assert.deepEqual(runCheck(), []);
});

test('a node of ours lacking a property its editor requires, or failing its validator, is refused', () => {
  const defs = editorDefs(path.join(REPO_ROOT, 'nodes'));
  const withEditor = { ...ctx, knownTypes: new Set([...ctx.knownTypes, 'threshold-alert']), editorDefs: defs };
  const rules = defs.get('threshold-alert')!.defaults.rules.value;
  const ok = {
    id: 'a',
    type: 'threshold-alert',
    z: 't',
    name: '',
    armed: false,
    configVersion: 2,
    rules,
    historyLimit: 500,
    maxDevices: 20000,
    maxAlerts: 10000,
    tickSeconds: 1,
    wires: [[], []],
  };
  assert.deepEqual(checkFlows([{ file: 'ok.json', nodes: [tab, ok] }], withEditor), []);
  const { historyLimit: _h, ...noHistory } = ok;
  const bad = [
    tab,
    { ...noHistory, id: 'b' },
    { ...ok, id: 'c', rules: undefined },
    { ...ok, id: 'd', maxAlerts: 3 },
    { ...ok, id: 'e', tickSeconds: '${MQTT_BROKER_URL}' },
  ];
  const problems = checkFlows([{ file: 'bad.json', nodes: bad }], withEditor);
  assert.equal(problems.length, 3, problems.join('\n'));
  assert.match(problems[0], /node b \(threshold-alert\): lacks "historyLimit", which its editor requires \(default 500\)/);
  assert.match(problems[1], /node c .*lacks "rules".*not valid JSON/);
  assert.match(problems[2], /node d .*"maxAlerts" = 3 fails its editor validator: a whole number from 10 to 100000/);
  assert.deepEqual(checkFlows([{ file: 'bad.json', nodes: bad }], { ...withEditor, editorDeferred: new Set(['bad.json']) }), []);
  const { armed: _a, ...noArmed } = ok;
  assert.match(
    checkFlows([{ file: 'f.json', nodes: [tab, noArmed] }], withEditor).join('\n'),
    /node a .*lacks "armed", which its dialog shows and Done saves \(as unchecked/,
  );
  // Deploy pads wires to one entry per output: a file with fewer differs from what is deployed.
  assert.deepEqual(checkFlows([{ file: 'f.json', nodes: [tab, { ...ok, wires: [[]] }] }], withEditor), [
    'f.json: node a (threshold-alert): wires has 1 entries for its 2 outputs: write one per output ([] for an unwired one), as Deploy does',
  ]);
});

test('nodes whose boxes overlap in the editor are refused; boxes grow with the label', () => {
  const long = { id: 'c', type: 'debug', z: 't', name: 'topic = ack | resolve | arm | list | rules', x: 250, y: 220, wires: [] };
  const near = { id: 'e', type: 'debug', z: 't', name: 'Errors', x: 350, y: 240, wires: [] };
  const problems = checkFlows([{ file: 'o.json', nodes: [tab, long, near] }], ctx);
  assert.equal(problems.length, 1, problems.join('\n'));
  assert.match(problems[0], /nodes c "topic = ack.*" \(250,220\) and e "Errors" \(350,240\) overlap in the editor/);
  // 360 px wide: its right edge is at 430, so a 100 px node from 440 on is clear of it.
  assert.deepEqual(checkFlows([{ file: 'o.json', nodes: [tab, long, { ...near, x: 490 }] }], ctx), []);
  assert.deepEqual(checkFlows([{ file: 'o.json', nodes: [tab, long, { ...near, y: 260 }] }], ctx), [], '30 px high: 40 px apart is clear');
  assert.deepEqual(
    checkFlows([{ file: 'o.json', nodes: [tab, long, { ...near, z: 'other' }] }], { ...ctx, knownTypes: ctx.knownTypes }).filter((p) => /overlap/.test(p)),
    [],
    'other tabs do not count',
  );
});
