/** The runtime translator: RED._ where it has a catalog, else the set's en-US catalog; `__vars__` filled. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { interpolate, lookup, translator } from '../../nodes/common/i18n';
import { REPO_ROOT } from '../support/red';

type Catalog = Record<string, unknown>;
const read = (file: string): Catalog => JSON.parse(fs.readFileSync(file, 'utf8')) as Catalog;

test("the translator: RED._ where it has a catalog, else the set's en-US catalog; __vars__ filled", () => {
  const dir = path.join(REPO_ROOT, 'dist', 'nodes', 'servo-command');
  const helperLike = translator({ _: (k: string) => k }, dir, 'servo-command'); // node-red-node-test-helper's RED._
  assert.equal(helperLike('servo-command.status.sent', { command: 'left', device: 'pan-1' }), 'sent left → pan-1');
  const german = read(path.join(dir, 'locales', 'de', 'servo-command.json'));
  const runtime = translator({ _: (k: string, v?: Record<string, string | number>) => interpolate(lookup(german, k) ?? k, v) }, dir, 'servo-command');
  assert.equal(runtime('servo-command.status.sent', { command: 'left', device: 'pan-1' }), 'gesendet: left → pan-1');
  assert.equal(runtime('servo-command.status.nope'), 'servo-command.status.nope', 'an unknown key shows itself');
  assert.equal(interpolate('__a____b__ __c__', { a: 1, b: 'x' }), '1x __c__');
});
