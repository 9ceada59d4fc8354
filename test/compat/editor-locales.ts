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
  const servo = (await (await fetch(`${base}/locales/${MODULE}/servo-command?lng=de`, { headers })).json()) as {
    'servo-command': { label: Record<string, string> };
  };
  assert.equal(servo['servo-command'].label.angleLimits, 'Winkelgrenzen');
}

/**
 * The help the editor shows: GET /nodes with Accept: text/html answers every
 * node's dialog and help in the language of Accept-Language (Node-RED reads
 * locales/<lang>/<file>.html beside the .js). Each of our node types gets the
 * help of that language's file: German headings for de, English for en-US.
 */
export async function checkEditorHelp(base: string, headers: Record<string, string> = {}): Promise<void> {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } };
  for (const [lang, heading] of [
    ['de', 'Eingaben'],
    ['en-US', 'Inputs'],
  ] as const) {
    const res = await fetch(`${base}/nodes`, { headers: { Accept: 'text/html', 'Accept-Language': lang, ...headers } });
    assert.equal(res.status, 200, `GET /nodes (${lang})`);
    const html = await res.text();
    const served = new Map([...html.matchAll(/<script type="text\/html" data-help-name="([\w-]+)">([\s\S]*?)<\/script>/g)].map((m) => [m[1], m[2]]));
    for (const js of Object.values(pkg['node-red'].nodes)) {
      const file = path.join(REPO_ROOT, path.dirname(js), 'locales', lang, `${path.basename(js, '.js')}.html`);
      const [, type, body] = /data-help-name="([\w-]+)">([\s\S]*?)<\/script>/.exec(fs.readFileSync(file, 'utf8')) ?? [];
      assert.ok(type, file);
      assert.equal(served.get(type)?.trim(), body.trim(), `${type}: the editor gets the ${lang} help`);
    }
    assert.match(served.get('servo-command') ?? '', new RegExp(`<h3>${heading}</h3>`), `servo-command help in ${lang}`);
  }
}
