/**
 * Dialog defaults come from the runtime's DEFAULTS, typed once: each node's
 * .html takes every default value from `RED.settings.<type>Defaults` (what
 * registerType exports), none is a literal of its own, and what the editor
 * then offers is what the runtime uses. The runtime half (a stock Node-RED
 * serving these settings) is in test/compat/plugin-mode.test.ts.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { defaultsSettingName, editorDefaultsSetting, normaliseTypeName } from '../../nodes/common/editor-defaults';
import { DEFAULT_RULES } from '../../nodes/threshold-alert/rules';
import { editorDefs, editorSettings, RUNTIME_DEFAULTS } from '../../scripts/editor-defs';
import { REPO_ROOT } from '../support/red';

const nodeRedUtil = require('@node-red/util').util as { normaliseNodeTypeName(type: string): string };
const NODES = path.join(REPO_ROOT, 'nodes');
/** Dialog properties that are no runtime default: the node's name and its config node references. */
const NOT_DEFAULTS = new Set(['name', 'influx', 'smtp', 'broker']);

test("setting names follow Node-RED's rule (they start with the normalised type name)", () => {
  for (const type of Object.keys(RUNTIME_DEFAULTS)) {
    assert.equal(normaliseTypeName(type), nodeRedUtil.normaliseNodeTypeName(type), type);
    assert.ok(defaultsSettingName(type).startsWith(nodeRedUtil.normaliseNodeTypeName(type)), type);
  }
  assert.equal(defaultsSettingName('iot-influxdb-config'), 'iotInfluxdbConfigDefaults');
  assert.deepEqual(editorDefaultsSetting('threshold-alert', { a: 1 }), { thresholdAlertDefaults: { value: { a: 1 }, exportable: true } });
});

test("every dialog default is the runtime's, for every node type of ours", () => {
  const defs = editorDefs(NODES);
  for (const [type, runtime] of Object.entries(RUNTIME_DEFAULTS)) {
    const def = defs.get(type);
    assert.ok(def, `${type} has an editor definition`);
    const props = Object.keys(def.defaults).filter((p) => !NOT_DEFAULTS.has(p));
    assert.ok(props.length >= 4, `${type}: ${props.join(',')}`);
    for (const p of props) {
      assert.notEqual(def.defaults[p].value, undefined, `${type}.${p} has a runtime default`);
      assert.deepEqual(def.defaults[p].value, JSON.parse(JSON.stringify((runtime as Record<string, unknown>)[p])), `${type}.${p}`);
    }
  }
  const rules = defs.get('threshold-alert')!.defaults.rules.value as string;
  assert.deepEqual(JSON.parse(rules), JSON.parse(JSON.stringify(DEFAULT_RULES)), 'the default alert rules');
});

test('no dialog keeps a default of its own: each one follows the exported setting', () => {
  // Settings where every value is a marker: a dialog default that is a literal in the .html keeps its literal.
  const marked = Object.fromEntries(
    Object.entries(RUNTIME_DEFAULTS).map(([type, d]) => [defaultsSettingName(type), Object.fromEntries(Object.keys(d).map((k) => [k, `marker:${type}.${k}`]))]),
  );
  const defs = editorDefs(NODES, marked);
  for (const type of Object.keys(RUNTIME_DEFAULTS)) {
    const def = defs.get(type)!;
    for (const [p, d] of Object.entries(def.defaults)) {
      if (NOT_DEFAULTS.has(p)) continue;
      assert.equal(d.value, `marker:${type}.${p}`, `${type}.${p} is typed in the .html instead of read from RED.settings.${defaultsSettingName(type)}`);
    }
  }
});

test('the settings the editor gets are plain JSON (as /settings carries them)', () => {
  const settings = editorSettings();
  assert.deepEqual(Object.keys(settings).sort(), Object.keys(RUNTIME_DEFAULTS).map(defaultsSettingName).sort());
  assert.deepEqual(settings, JSON.parse(JSON.stringify(settings)));
});
