/** The editor files: defaults match the runtime DEFAULTS, validators reject bad values, help has its sections. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'fs';
import path from 'path';
import vm from 'vm';
import { DEFAULTS } from '../../nodes/alert-notifier/config';
import { SMTP_DEFAULTS } from '../../nodes/alert-notifier/smtp-settings';
import { editorSettings } from '../../scripts/editor-defs';

const DIR = path.join(__dirname, '..', '..', 'nodes', 'alert-notifier');

interface Def {
  defaults: Record<string, { value: unknown; validate?: (v: unknown, opt?: unknown) => unknown }>;
  credentials: Record<string, unknown>;
  outputs?: number;
  category: string;
}

function register(file: string): { html: string; defs: Record<string, Def> } {
  const html = fs.readFileSync(path.join(DIR, file), 'utf8');
  const script = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(html)![1];
  const defs: Record<string, Def> = {};
  const RED = {
    nodes: { registerType: (type: string, def: Def) => (defs[type] = def) },
    validators: { number: () => (v: unknown) => v !== '' && !isNaN(Number(v)) },
    settings: editorSettings(),
  };
  vm.runInNewContext(script, { RED, $: () => ({}) });
  return { html, defs };
}

/** The node's English help (Node-RED's locales/en-US/<file>.html). */
const help = (file: string): string => fs.readFileSync(path.join(DIR, 'locales', 'en-US', file), 'utf8');

test('alert-notifier.html: defaults equal the runtime DEFAULTS; secret only in credentials', () => {
  const { defs } = register('alert-notifier.html');
  const def = defs['alert-notifier'];
  assert.equal(def.category, 'IoT engine');
  assert.equal(def.outputs, 1);
  const editorDefaults = Object.fromEntries(
    Object.entries(def.defaults)
      .filter(([k]) => k !== 'name')
      .map(([k, v]) => [k, v.value]),
  );
  assert.deepEqual(editorDefaults, { ...DEFAULTS });
  assert.deepEqual(Object.keys(def.credentials), ['secret']);
  for (const section of ['<h3>Inputs</h3>', '<h3>Outputs</h3>', '<h3>Details</h3>']) assert.ok(help('alert-notifier.html').includes(section), section);
});

test('alert-notifier.html validators reject bad values and accept good ones', () => {
  const d = register('alert-notifier.html').defs['alert-notifier'].defaults;
  const ok = (field: string, v: unknown) => d[field].validate!(v) === true;
  assert.equal(ok('headers', '{"X-A":"1"}'), true);
  assert.equal(ok('headers', '[1]'), false);
  assert.equal(ok('bodyTemplate', ''), true);
  assert.equal(ok('bodyTemplate', '{"a":'), false);
  assert.equal(ok('url', '${WEBHOOK_URL}'), true);
  assert.equal(ok('url', 'https://hooks.example.com/x'), true);
  assert.equal(ok('url', 'ftp://x'), false);
  assert.equal(ok('to', 'a@x.org, b@y.org'), true);
  assert.equal(ok('to', 'not-an-address'), false);
  assert.equal(ok('timeoutS', '0'), false);
  assert.equal(ok('timeoutS', '5'), true);
  assert.equal(ok('rateWindowS', 'abc'), false);
  assert.equal(ok('groupWaitS', '0'), true, 'group wait 0: no grouping');
  assert.equal(ok('groupWaitS', '-1'), false);
  assert.equal(ok('groupIntervalS', '0'), false);
  assert.equal(ok('groupListMax', '100'), true);
  assert.equal(ok('groupListMax', 'x'), false);
});

test('smtp-config.html (iot-smtp-config): defaults equal SMTP_DEFAULTS; user/password are credentials; a password in the URL is refused', () => {
  const { defs } = register('smtp-config.html');
  const def = defs['iot-smtp-config'];
  const editorDefaults = Object.fromEntries(
    Object.entries(def.defaults)
      .filter(([k]) => k !== 'name')
      .map(([k, v]) => [k, v.value]),
  );
  assert.deepEqual(editorDefaults, { ...SMTP_DEFAULTS });
  assert.deepEqual(Object.keys(def.credentials).sort(), ['password', 'user']);
  const url = def.defaults.url.validate!;
  assert.equal(url('${SMTP_URL}'), true);
  assert.equal(url('smtp://mail.example.com:587'), true);
  assert.equal(url('smtp://u:secret@mail.example.com'), false);
  assert.equal(url('http://x'), false);
  assert.ok(help('smtp-config.html').includes('<h3>Details</h3>'));
});
