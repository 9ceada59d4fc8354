/**
 * What the editor of a running Node-RED serves for our node sets: for each
 * set in package.json, GET /locales/<module>/<set>?lng=<lang> must answer our
 * catalog for that language (Node-RED found locales/ beside the node's .js).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../support/red';

const MODULE = 'node-red-iot-flow-engine';

export async function checkEditorLocales(base: string, headers: Record<string, string> = {}): Promise<void> {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } };
  for (const [set, js] of Object.entries(pkg['node-red'].nodes)) {
    const dir = path.join(REPO_ROOT, path.dirname(js), 'locales');
    for (const lang of ['de', 'en-US']) {
      const res = await fetch(`${base}/locales/${MODULE}/${set}?lng=${lang}`, { headers: { Accept: 'application/json', ...headers } });
      assert.equal(res.status, 200, `${set} ${lang}`);
      const want = JSON.parse(fs.readFileSync(path.join(dir, lang, `${path.basename(js, '.js')}.json`), 'utf8'));
      assert.deepEqual(await res.json(), want, `${set}: the ${lang} catalog the editor gets`);
    }
  }
  // A German label, spelled out: what a German editor shows in the servo dialog.
  const servo = (await (await fetch(`${base}/locales/${MODULE}/servo-command?lng=de`, { headers })).json()) as { 'servo-command': { label: Record<string, string> } };
  assert.equal(servo['servo-command'].label.angleLimits, 'Winkelgrenzen');
}
