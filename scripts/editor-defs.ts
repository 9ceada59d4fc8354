/**
 * The editor's view of our node types: runs each nodes/*.html registerType
 * script against a stub RED (validators copied from Node-RED 4.1's editor) and
 * judges a flow node's properties as the editor's validateNode would, except
 * that a required property that is absent counts as missing (the editor would
 * show an empty field, and Done would save it empty).
 */
import fs from 'fs';
import path from 'path';
import vm from 'vm';
import { DEFAULTS as activityClassifier } from '../nodes/activity/config';
import { DEFAULTS as alertNotifier } from '../nodes/alert-notifier/config';
import { SMTP_DEFAULTS } from '../nodes/alert-notifier/smtp-settings';
import { DEFAULTS as cameraRecorder } from '../nodes/camera-recorder/config';
import { defaultsSettingName } from '../nodes/common/editor-defaults';
import { CONFIG_EDITOR_DEFAULTS, QUERY_DEFAULTS, WRITER_DEFAULTS } from '../nodes/influxdb/config';
import { DEFAULTS as payloadNormalizer } from '../nodes/payload-normalizer/config';
import { EDITOR_DEFAULTS as sensorInput } from '../nodes/sensor-input/config';
import { DEFAULTS as servoCommand } from '../nodes/servo-command/config';
import { DEFAULTS as thresholdAlert } from '../nodes/threshold-alert/config';

/**
 * The dialog defaults each node type exports to the editor (its glue passes
 * the same object to registerType's `settings`), by type.
 */
export const RUNTIME_DEFAULTS: Readonly<Record<string, object>> = {
  'activity-classifier': activityClassifier,
  'alert-notifier': alertNotifier,
  'iot-smtp-config': SMTP_DEFAULTS,
  'camera-recorder': cameraRecorder,
  'iot-influxdb-config': CONFIG_EDITOR_DEFAULTS,
  'influxdb-writer': WRITER_DEFAULTS,
  'influxdb-query': QUERY_DEFAULTS,
  'payload-normalizer': payloadNormalizer,
  'sensor-input': sensorInput,
  'servo-command': servoCommand,
  'threshold-alert': thresholdAlert,
};

/** `RED.settings` as the editor gets it from a runtime with our node types: each one's `<type>Defaults`, as JSON carries them. */
export function editorSettings(): Record<string, unknown> {
  return Object.fromEntries(Object.entries(RUNTIME_DEFAULTS).map(([type, d]) => [defaultsSettingName(type), JSON.parse(JSON.stringify(d))]));
}

/** One entry of a node definition's `defaults` (or `credentials`). */
export interface PropDef {
  value?: unknown;
  required?: boolean;
  type?: string;
  validate?: (this: unknown, value: unknown, opt?: Record<string, unknown>) => unknown;
}

export interface EditorDef {
  category?: string;
  defaults: Record<string, PropDef>;
  /** Outputs of a node of this type (a node's own `outputs` property wins). */
  outputs?: number;
  /** The dialog's `node-input-<prop>` fields by property, with their kind (checkbox, select or text). */
  inputs?: Map<string, 'checkbox' | 'select' | 'text'>;
}

/** The dialog fields of an editor html: `<input|select|textarea id="node-(config-)input-x">`. */
export function dialogInputs(html: string): Map<string, 'checkbox' | 'select' | 'text'> {
  const out = new Map<string, 'checkbox' | 'select' | 'text'>();
  for (const m of html.matchAll(/<(input|select|textarea)\b([^>]*)>/g)) {
    const id = /\bid="node-(?:config-)?input-([A-Za-z0-9_]+)"/.exec(m[2])?.[1];
    if (!id) continue;
    out.set(id, m[1] === 'select' ? 'select' : /type="checkbox"/.test(m[2]) ? 'checkbox' : 'text');
  }
  return out;
}

/**
 * The node as Done in its dialog saves it when nothing was changed: every
 * field is written back from its input, so an absent property comes back
 * empty (text) or false (checkbox), and numbers come back as strings.
 */
export function savedByDone(node: Record<string, unknown>, def: EditorDef): Record<string, unknown> {
  const out = { ...node };
  for (const prop of Object.keys(def.defaults || {})) {
    const kind = def.inputs?.get(prop);
    if (!kind) continue;
    const v = node[prop];
    if (kind === 'checkbox') out[prop] = !!v;
    else if (kind === 'select') {
      if (v != null) out[prop] = String(v);
    } else out[prop] = v == null ? '' : String(v);
  }
  return out;
}

/** RED.validators of Node-RED 4.1 (editor-client red.js), for the kinds our editors use. */
const validators = {
  number:
    (blankAllowed?: boolean) =>
    (v: unknown, opt?: unknown): boolean | string => {
      if (blankAllowed && (v === '' || v === undefined)) return true;
      if (v !== '') {
        if (/^NaN$|^[+-]?[0-9]*\.?[0-9]*([eE][-+]?[0-9]+)?$|^[+-]?(0b|0B)[01]+$|^[+-]?(0o|0O)[0-7]+$|^[+-]?(0x|0X)[0-9a-fA-F]+$/.test(v as string)) return true;
        if (/^\${[^}]+}$/.test(v as string)) return true;
      }
      if (!isNaN(v as number)) return true;
      return opt ? 'invalid number' : false;
    },
  regex:
    (re: RegExp) =>
    (v: unknown, opt?: unknown): boolean | string =>
      re.test(v as string) ? true : opt ? 'invalid value' : false,
};

/** Reads that an empty jQuery set answers with nothing. */
const EMPTY_READS = new Set(['val', 'attr', 'prop', 'data', 'text', 'html']);

/** A jQuery stand-in that is always an empty set, as `$('#node-input-x')` is when no dialog is open. */
function jqueryStub(): unknown {
  const chain: unknown = new Proxy(function () {}, {
    get: (_t, key) => (key === 'length' ? 0 : key === 'is' ? () => false : EMPTY_READS.has(String(key)) ? () => undefined : () => chain),
    apply: () => chain,
  });
  return chain;
}

/** Runs one editor html's scripts (against `settings` as RED.settings) and returns the types it registers. */
export function defsFromHtml(html: string, file = 'editor.html', settings: Record<string, unknown> = editorSettings()): Map<string, EditorDef> {
  const out = new Map<string, EditorDef>();
  const RED = {
    nodes: { registerType: (type: string, def: EditorDef) => void out.set(type, { ...def, inputs: dialogInputs(html) }) },
    validators,
    _: (key: string) => key,
    editor: {},
    settings,
  };
  for (const m of html.matchAll(/<script type="text\/javascript">([\s\S]*?)<\/script>/g)) {
    vm.runInNewContext(m[1], { RED, $: jqueryStub(), jQuery: jqueryStub(), console }, { filename: file });
  }
  return out;
}

/** Editor definitions of every html under a nodes directory (RED.settings: `settings`). */
export function editorDefs(nodesDir: string, settings: Record<string, unknown> = editorSettings()): Map<string, EditorDef> {
  const out = new Map<string, EditorDef>();
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.html')) for (const [t, d] of defsFromHtml(fs.readFileSync(p, 'utf8'), p, settings)) out.set(t, d);
    }
  };
  walk(nodesDir);
  return out;
}

const ENV_REF = /^\$[({][a-zA-Z_][a-zA-Z0-9_]*[)}]$/;

/**
 * What the editor would flag on this node: properties that are required but
 * absent or empty, and values its validators refuse; and properties its
 * dialog shows that are absent (Done would change them), or wires that Deploy
 * would pad to one entry per output. Empty when valid.
 */
export function editorProblems(node: Record<string, unknown>, def: EditorDef): string[] {
  const problems: string[] = [];
  for (const [prop, d] of Object.entries(def.defaults || {})) {
    const value = node[prop];
    if (!(prop in node) && !d.required && def.inputs?.has(prop)) {
      // Done writes every field back: an absent property comes back empty or unchecked.
      problems.push(
        `lacks "${prop}", which its dialog shows and Done saves (as ${def.inputs.get(prop) === 'checkbox' ? 'unchecked' : 'empty'} unless the dialog fills it in): the file should say what runs`,
      );
      continue;
    }
    if (typeof value === 'string' && ENV_REF.test(value)) continue;
    if (d.required && (value === undefined || value === '')) {
      problems.push(`lacks "${prop}", which its editor requires (default ${JSON.stringify(d.value)})`);
      continue;
    }
    if (!d.validate || (d.required === false && value === '')) continue;
    let verdict: unknown;
    try {
      verdict = d.validate.call(node, value, {});
    } catch (err) {
      verdict = `validator threw ${(err as Error).message}`;
    }
    if (verdict !== true && (verdict === false || typeof verdict === 'string' || Array.isArray(verdict) || !verdict)) {
      const why = typeof verdict === 'string' ? `: ${verdict}` : '';
      problems.push(
        value === undefined
          ? `lacks "${prop}", which its editor validates${why}`
          : `"${prop}" = ${JSON.stringify(value).slice(0, 60)} fails its editor validator${why}`,
      );
    }
  }
  const outputs = typeof node.outputs === 'number' ? node.outputs : def.outputs;
  if (typeof outputs === 'number' && Array.isArray(node.wires) && node.wires.length !== outputs) {
    // Deploy sends one wires entry per output: a shorter list is padded, so the deployed flow differs from the file.
    problems.push(`wires has ${node.wires.length} entries for its ${outputs} outputs: write one per output ([] for an unwired one), as Deploy does`);
  }
  return problems;
}
