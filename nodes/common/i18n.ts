/**
 * Runtime texts (status, errors) through Node-RED's i18n, as core nodes do:
 * `RED._("<node>.status.x", vars)` looks the key up in the node set's catalog
 * (`locales/<lang>/<file>.json` beside the node's .js, in the runtime's
 * language). Where RED._ has no catalog (node-red-node-test-helper's RED._
 * returns the key), the set's en-US catalog is read directly, so a status
 * never shows a bare key. Variables use Node-RED's `__name__` form.
 */
import fs from 'fs';
import path from 'path';

export type Vars = Record<string, string | number>;
export type Translate = (key: string, vars?: Vars) => string;

const catalogs = new Map<string, Record<string, unknown>>();

function catalog(file: string): Record<string, unknown> {
  let c = catalogs.get(file);
  if (!c) {
    try {
      c = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch {
      c = {};
    }
    catalogs.set(file, c);
  }
  return c;
}

/** `key` ("a.b.c") in a nested catalog, or undefined. */
export function lookup(messages: Record<string, unknown>, key: string): string | undefined {
  let v: unknown = messages;
  for (const part of key.split('.')) {
    if (!v || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return typeof v === 'string' ? v : undefined;
}

/** Fills `__name__` placeholders (i18next's form in Node-RED). */
export function interpolate(text: string, vars: Vars = {}): string {
  return text.replace(/__(\w+?)__/g, (all, name: string) => (name in vars ? String(vars[name]) : all));
}

/**
 * The translator of one node set: `dir` is the folder of its .js file
 * (`__dirname`), `file` its base name, as in `locales/en-US/<file>.json`.
 */
export function translator(RED: { _?: (key: string, vars?: Vars) => string }, dir: string, file: string): Translate {
  const fallback = path.join(dir, 'locales', 'en-US', `${file}.json`);
  return (key, vars) => {
    const text = typeof RED._ === 'function' ? RED._(key, vars) : undefined;
    if (typeof text === 'string' && text !== key && !text.endsWith(`:${key}`)) return text;
    const en = lookup(catalog(fallback), key);
    return en === undefined ? key : interpolate(en, vars);
  };
}
