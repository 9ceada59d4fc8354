/**
 * Message catalogs (Node-RED's i18n convention): every node set the package
 * ships has locales/en-US/<file>.json and locales/de/<file>.json beside its
 * .js file (where Node-RED looks), both with the same keys; every data-i18n
 * key in the node's .html and every translator key in our code is in both;
 * the runtime translator's own test is i18n.test.ts.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { lookup } from '../../nodes/common/i18n';
import { REPO_ROOT } from '../support/red';

const LANGS = ['en-US', 'de'];
const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } };
const sets = Object.entries(pkg['node-red'].nodes).map(([set, js]) => {
  const file = path.join(REPO_ROOT, js);
  const base = path.basename(file, '.js');
  const srcDir = path.join(REPO_ROOT, path.dirname(js).replace(/^dist\//, ''));
  return { set, base, distDir: path.dirname(file), srcDir, html: path.join(srcDir, `${base}.html`), ts: path.join(srcDir, `${base}.ts`) };
});

type Catalog = Record<string, unknown>;
const read = (file: string): Catalog => JSON.parse(fs.readFileSync(file, 'utf8')) as Catalog;

function keys(c: unknown, prefix = ''): string[] {
  if (typeof c !== 'object' || c === null) return [prefix];
  return Object.entries(c as Catalog).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

/** data-i18n="a.b" and data-i18n="[placeholder]a.b;[title]c.d" */
function htmlKeys(html: string): string[] {
  return [...html.matchAll(/data-i18n="([^"]+)"/g)].flatMap((m) => m[1].split(';').map((k) => k.replace(/^\[[^\]]+\]/, '')));
}

/** tr('key') / RED._('key') / this._('key') with a literal key, and tr(`prefix.${x}`) templates as prefix.* */
function codeKeys(src: string): string[] {
  const lit = [...src.matchAll(/\b(?:tr|RED\._|this\._|t)\(\s*'([a-z][\w-]*(?:\.[\w-]+)+)'/g)].map((m) => m[1]);
  const tpl = [...src.matchAll(/\b(?:tr|t)\(\s*`([a-z][\w-]*(?:\.[\w-]+)+)\.\$\{/g)].map((m) => `${m[1]}.*`);
  return [...lit, ...tpl];
}

test('every node set has en-US and de catalogs in dist, beside its .js, with the same keys and no empty text', () => {
  assert.equal(sets.length, 11);
  for (const s of sets) {
    const [en, de] = LANGS.map((lang) => {
      const file = path.join(s.distDir, 'locales', lang, `${s.base}.json`);
      assert.ok(fs.existsSync(file), `${s.set}: ${path.relative(REPO_ROOT, file)} (npm run build copies nodes/**/locales)`);
      return read(file);
    });
    assert.deepEqual(keys(de).sort(), keys(en).sort(), `${s.set}: de has the keys of en-US`);
    for (const k of keys(en)) {
      assert.ok(String(lookup(en, k)).trim(), `${s.set} en-US ${k} is empty`);
      assert.ok(String(lookup(de, k)).trim(), `${s.set} de ${k} is empty`);
    }
    const ns = Object.keys(en);
    assert.equal(ns.length, 1, `${s.set}: one top-level key, the node type`);
  }
});

test('every data-i18n key in the editor .html files is in en-US and de; every dialog label is translated', () => {
  let total = 0;
  for (const s of sets) {
    const html = fs.readFileSync(s.html, 'utf8');
    const used = htmlKeys(html);
    assert.ok(used.length > 0, `${s.set}: the dialog uses data-i18n`);
    total += used.length;
    for (const lang of LANGS) {
      const c = read(path.join(s.srcDir, 'locales', lang, `${s.base}.json`));
      for (const k of used) assert.ok(lookup(c, k) !== undefined, `${path.relative(REPO_ROOT, s.html)}: ${k} missing in ${lang}`);
    }
    // Labels with plain text are not translatable: each label holds a data-i18n span (or only an icon / &nbsp;).
    const template = /data-template-name="[\w-]+">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    for (const m of template.matchAll(/<label[^>]*>([\s\S]*?)<\/label>/g)) {
      const text = m[1]
        .replace(/<i class="[^"]*"><\/i>/g, '')
        .replace(/<input [^>]*>/g, '')
        .replace(/<span data-i18n="[^"]+"><\/span>/g, '')
        .replace(/&nbsp;/g, '')
        .trim();
      if (s.set === 'threshold-alert' && /Rules/.test(text)) continue; // the rules editor is translated separately
      assert.equal(text, '', `${s.set}: label text not in a catalog: ${m[0]}`);
    }
  }
  assert.ok(total > 150, `${total} data-i18n keys`);
});

test("every translator key used in the nodes' code is in en-US and de", () => {
  const byNs = new Map<string, Catalog[]>();
  for (const s of sets) {
    const cats = LANGS.map((lang) => read(path.join(s.srcDir, 'locales', lang, `${s.base}.json`)));
    byNs.set(Object.keys(cats[0])[0], cats);
  }
  const files = fs
    .readdirSync(path.join(REPO_ROOT, 'nodes'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') || f.endsWith('.html'))
    .map((f) => path.join(REPO_ROOT, 'nodes', f));
  let used = 0;
  for (const f of files) {
    for (const key of codeKeys(fs.readFileSync(f, 'utf8'))) {
      const ns = key.split('.')[0];
      const cats = byNs.get(ns);
      if (!cats) continue; // not one of our catalogs' keys (e.g. a dotted string in a pure module)
      used++;
      for (const [i, c] of cats.entries()) {
        if (key.endsWith('.*'))
          assert.ok(
            keys(c).some((k) => k.startsWith(key.slice(0, -1))),
            `${path.relative(REPO_ROOT, f)}: ${key} in ${LANGS[i]}`,
          );
        else assert.ok(lookup(c, key) !== undefined, `${path.relative(REPO_ROOT, f)}: ${key} missing in ${LANGS[i]}`);
      }
    }
  }
  assert.ok(used >= 25, `${used} keys used in code`);
});

/** The help blocks of a locale .html file: data-help-name → body. */
function helpBlocks(file: string): Map<string, string> {
  const html = fs.readFileSync(file, 'utf8');
  return new Map([...html.matchAll(/<script type="text\/html" data-help-name="([\w-]+)">([\s\S]*?)<\/script>/g)].map((m) => [m[1], m[2]]));
}
const tags = (body: string, tag: string): number => body.split(`<${tag}`).length - 1;

test('every node type has its help in locales/en-US and locales/de (in dist), with the same sections; none left in the dialog .html', () => {
  const types = new Set<string>();
  for (const s of sets) {
    const dialog = fs.readFileSync(s.html, 'utf8');
    const type = /registerType\(\s*'([\w-]+)'/.exec(dialog)?.[1];
    assert.ok(type, `${s.set}: registers a type`);
    types.add(type);
    assert.doesNotMatch(dialog, /data-help-name/, `${s.set}: the help lives in locales/<lang>/${s.base}.html, not in the dialog file`);
    const [en, de] = LANGS.map((lang) => {
      const file = path.join(s.distDir, 'locales', lang, `${s.base}.html`);
      assert.ok(fs.existsSync(file), `${s.set}: ${path.relative(REPO_ROOT, file)}`);
      const blocks = helpBlocks(file);
      assert.deepEqual([...blocks.keys()], [type], `${s.set} ${lang}: one help block, for ${type}`);
      return blocks.get(type)!;
    });
    for (const tag of ['h3', 'dt', 'li', 'p', 'code']) {
      assert.equal(tags(de, tag), tags(en, tag), `${type}: de help has as many <${tag}> as en-US`);
    }
    assert.ok(tags(en, 'h3') >= 1, `${type}: the help has sections`);
    assert.notEqual(de.replace(/<[^>]+>/g, ''), en.replace(/<[^>]+>/g, ''), `${type}: the de help is translated`);
    assert.match(de, /<h3>(Eingaben|Ausgaben|Details|Grenzen)<\/h3>/, `${type}: German headings`);
  }
  assert.equal(types.size, 11);
});
