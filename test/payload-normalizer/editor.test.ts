/** The editor file: registers the type, and its validators accept and refuse what parseConfig does. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CONFIG_VERSION, DEFAULTS, parseConfig } from '../../nodes/payload-normalizer/config';
import { REPO_ROOT } from '../support/red';
import { editorSettings } from '../../scripts/editor-defs';

const html = fs.readFileSync(path.join(REPO_ROOT, 'nodes', 'payload-normalizer', 'payload-normalizer.html'), 'utf8');

interface Def {
  defaults: Record<string, { value: unknown; validate?: (v: unknown) => boolean }>;
  outputs: number;
  category: string;
  label: () => string;
  oneditprepare: () => void;
}

/** Values the dialog's inputs were given through the jQuery stub, by input id. */
const filled: Record<string, unknown> = {};
const jquery = (selector: string) => ({
  css: () => undefined,
  attr: () => (/toCelsius|toHectopascal|builtinTemplates|catchRejects/.test(selector) ? 'checkbox' : 'text'),
  val: (v: unknown) => void (filled[selector] = v),
  prop: (_k: string, v: unknown) => void (filled[selector] = v),
});

/** Runs the editor script against a stub RED and returns what it registered. */
function registered(): { type: string; def: Def } {
  const script = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(html)?.[1];
  assert.ok(script, 'editor script block');
  let out: { type: string; def: Def } | undefined;
  const RED = {
    nodes: { registerType: (type: string, def: Def) => (out = { type, def }) },
    validators: { number: () => (v: unknown) => v !== '' && !Number.isNaN(Number(v)) },
    settings: editorSettings(),
  };
  new Function('RED', '$', script)(RED, jquery);
  assert.ok(out, 'registerType was called');
  return out;
}

test("the editor registers 'payload-normalizer' in the IoT engine category with four outputs", () => {
  assert.match(html, /registerType\('payload-normalizer'/);
  const { type, def } = registered();
  assert.equal(type, 'payload-normalizer');
  assert.equal(def.category, 'IoT engine');
  assert.equal(def.outputs, 4);
  assert.equal(def.label.call({ name: '', decoder: 'auto' }), 'payload normalizer');
});

test('editor defaults are the DEFAULTS of config.ts, and they parse', () => {
  const { def } = registered();
  for (const [key, value] of Object.entries(DEFAULTS)) {
    assert.ok(def.defaults[key], `editor has a default for ${key}`);
    assert.deepEqual(def.defaults[key].value, value, `default ${key}`);
  }
  const flowDef: Record<string, unknown> = {};
  for (const [key, d] of Object.entries(def.defaults)) flowDef[key] = d.value;
  assert.doesNotThrow(() => parseConfig(flowDef));
  for (const [key, d] of Object.entries(def.defaults)) {
    if (d.validate) assert.equal(d.validate.call({}, d.value), true, `default ${key} passes its validator`);
  }
});

test('editor validators refuse what parseConfig refuses', () => {
  const { def } = registered();
  const v = (key: string, value: unknown): boolean => def.defaults[key].validate!.call({}, value);
  const cases: Array<[string, unknown, boolean]> = [
    ['timezone', 'Europe/Paris', true],
    ['timezone', 'Mars/Olympus', false],
    ['ranges', '{"humidity":[0,100],"co2":null}', true],
    ['ranges', '{"humidity":[100,0]}', false],
    ['ranges', '{nope', false],
    ['ranges', '[1,2]', false],
    ['eventTypes', '{"DOOR_OPENED":"door_opened"}', true],
    ['eventTypes', '{"X":"Not Snake"}', false],
    ['templates', 'home/{deviceId}/{sensorType}\nplant/+/{deviceId} sensorType=soil', true],
    ['templates', 'a/#/b', false],
    ['templates', 'a/{deviceId} colour=red', false],
    ['dedupeWindow', '30', true],
    ['dedupeWindow', '-1', false],
    ['dedupeWindow', 'abc', false],
    ['rateLimit', '10', true],
    ['maxDepth', '0', false],
    ['decoder', 'xml', false],
    ['decoder', 'esp32', true],
    ['tagKeys', 'location, activityHint room', true],
    ['tagKeys', '*', true],
    ['tagKeys', '', true],
    ['tagKeys', 'a, b!', false],
    ['maxTagValues', '5', true],
    ['maxTagValues', '0', false],
    ['maxMeasurements', '1000', true],
    ['maxMeasurements', 'x', false],
  ];
  for (const [key, value, ok] of cases) {
    assert.equal(v(key, value), ok, `${key}=${String(value)}`);
    const parses = (() => {
      try {
        parseConfig({ [key]: value });
        return true;
      } catch {
        return false;
      }
    })();
    assert.equal(parses, ok, `parseConfig agrees on ${key}=${String(value)}`);
  }
});

test('opening a node imported without properties shows the runtime defaults (saving keeps behaviour)', () => {
  const { def } = registered();
  for (const k of Object.keys(filled)) delete filled[k];
  def.oneditprepare.call({ name: 'Normalize', timezone: 'Europe/Paris' });
  assert.equal(filled['#node-input-builtinTemplates'], true);
  assert.equal(filled['#node-input-catchRejects'], true);
  assert.equal(filled['#node-input-toCelsius'], true);
  assert.equal(filled['#node-input-dedupeWindow'], 60);
  assert.equal(filled['#node-input-decoder'], 'auto');
  assert.equal(filled['#node-input-configVersion'], CONFIG_VERSION);
  assert.equal(filled['#node-input-tagKeys'], DEFAULTS.tagKeys);
  assert.equal(filled['#node-input-maxTagValues'], 20);
  assert.equal(filled['#node-input-maxMeasurements'], 100);
  assert.equal(filled['#node-input-timezone'], undefined, 'a property the node has is left alone');
  assert.equal(filled['#node-input-name'], undefined);
});
