/**
 * The editor file: its script runs against a stand-in RED, its default rules
 * are the runtime's DEFAULT_RULES, its validators accept and refuse the right
 * things, and its help has the Inputs / Outputs / Details sections.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import vm from 'node:vm';
import { DEFAULT_RULES } from '../../nodes/threshold-alert/rules';
import { DEFAULTS } from '../../nodes/threshold-alert/config';
import { editorSettings } from '../../scripts/editor-defs';

const html = fs.readFileSync(path.join(__dirname, '..', '..', 'nodes', 'threshold-alert', 'threshold-alert.html'), 'utf8');

interface EditorDef {
  category: string;
  inputs: number;
  outputs: number;
  defaults: Record<string, { value: unknown; validate?: (this: unknown, v: unknown, opt?: unknown) => unknown }>;
}

function editorDefinition(): { type: string; def: EditorDef } {
  const script = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(html)?.[1];
  assert.ok(script, 'editor script present');
  let type = '';
  let def: EditorDef | undefined;
  const RED = {
    validators: { number: () => (v: unknown) => !Number.isNaN(Number(v)) },
    nodes: {
      registerType: (t: string, d: EditorDef) => {
        type = t;
        def = d;
      },
    },
    settings: editorSettings(),
  };
  vm.runInNewContext(script, { RED, $: () => ({}) });
  assert.ok(def, 'registerType called');
  return { type, def };
}

test('editor registers threshold-alert with the runtime defaults', () => {
  const { type, def } = editorDefinition();
  assert.equal(type, 'threshold-alert');
  assert.equal(def.category, 'IoT engine');
  assert.deepEqual([def.inputs, def.outputs], [1, 2]);
  assert.deepEqual(JSON.parse(def.defaults.rules.value as string), JSON.parse(JSON.stringify(DEFAULT_RULES)));
  assert.equal(def.defaults.rules.value, DEFAULTS.rules);
  assert.equal(def.defaults.historyLimit.value, DEFAULTS.historyLimit);
  assert.equal(def.defaults.tickSeconds.value, DEFAULTS.tickSeconds);
  assert.equal(def.defaults.maxDevices.value, DEFAULTS.maxDevices);
  assert.equal(def.defaults.maxAlerts.value, DEFAULTS.maxAlerts);
  assert.equal(def.defaults.configVersion.value, DEFAULTS.configVersion);
});

test('editor validators', () => {
  const { def } = editorDefinition();
  const rules = def.defaults.rules.validate!;
  assert.equal(rules.call({}, DEFAULTS.rules, {}), true);
  assert.equal(rules.call({}, '[{', {}) !== true, true);
  assert.match(String(rules.call({}, '[{"id":"a","metric":"t","operator":"gt","threshold":1}]', {})), /rules\[0\]\.operator/);
  assert.match(String(rules.call({}, '[{"id":"a","kind":"staleness"}]', {})), /rules\[0\]\.after/);
  assert.match(String(rules.call({}, '[{"id":"a","kind":"event","eventType":"x"},{"id":"a","kind":"event","eventType":"y"}]', {})), /duplicate "a"/);
  assert.equal(rules.call({}, '{}'), false, 'without opt the validator returns false, as older editors expect');
  assert.equal(def.defaults.historyLimit.validate!.call({}, 'abc'), false);
  assert.equal(def.defaults.historyLimit.validate!.call({}, '5'), false, 'below 10');
  assert.equal(def.defaults.maxDevices.validate!.call({}, '20000'), true);
  assert.equal(def.defaults.maxDevices.validate!.call({}, '2000000'), false, 'above 1,000,000');
  assert.equal(def.defaults.maxAlerts.validate!.call({}, '12.5'), false, 'a whole number');
  assert.match(String(def.defaults.maxAlerts.validate!.call({}, '0', {})), /from 10 to 100000/);
  assert.equal(def.defaults.tickSeconds.validate!.call({}, '0.5'), true);
});

test('help has Inputs, Outputs and Details', () => {
  const helpHtml = fs.readFileSync(path.join(__dirname, '..', '..', 'nodes', 'threshold-alert', 'locales', 'en-US', 'threshold-alert.html'), 'utf8');
  const help = /data-help-name="threshold-alert">([\s\S]*?)<\/script>/.exec(helpHtml)?.[1] ?? '';
  for (const h of ['Inputs', 'Outputs', 'Details']) assert.match(help, new RegExp(`<h3>${h}</h3>`));
  for (const word of ['ack', 'resolve', 'rules', 'list', 'arm', 'verdicts', 'whileArmed', 'keepFiring', 'staleness']) assert.ok(help.includes(word), word);
});
