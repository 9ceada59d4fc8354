/** The normalizer's counters as a status line, in the runtime's language. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { interpolate, lookup, translator } from '../../nodes/common/i18n';
import { NormalizerStats } from '../../nodes/payload-normalizer/stats';
import { REPO_ROOT } from '../support/red';

type Catalog = Record<string, unknown>;
const read = (file: string): Catalog => JSON.parse(fs.readFileSync(file, 'utf8')) as Catalog;

test("the normalizer's counter status line: English by default, German through a German RED._", () => {
  const dir = path.join(REPO_ROOT, 'dist', 'nodes', 'payload-normalizer');
  const german = read(path.join(dir, 'locales', 'de', 'payload-normalizer.json'));
  const de = translator({ _: (k: string, v?: Record<string, string | number>) => interpolate(lookup(german, k) ?? k, v) }, dir, 'payload-normalizer');
  const stats = new NormalizerStats(undefined);
  stats.ok = 12;
  stats.rejected = 3;
  stats.ignored = 2;
  assert.equal(stats.text(), '12 ok · 3 rejected · 0 dup · 2 ignored');
  assert.equal(stats.text(de), '12 ok · 3 abgelehnt · 0 doppelt · 2 ignoriert');
});
