/** The firmware corpus (corpus/<ecosystem>.json) as a whole; each ecosystem's messages run in decoders/<ecosystem>.test.ts. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { loadCorpora } from './corpus';

const corpora = loadCorpora();

test('the corpus has at least 10 messages with a source per ecosystem', () => {
  assert.ok(corpora.length >= 11, `${corpora.length} ecosystems`);
  for (const c of corpora) {
    assert.ok(c.messages.length >= 10, `${c.ecosystem}: ${c.messages.length} messages`);
    for (const m of c.messages) assert.ok(m.source && m.topic, `${c.ecosystem}/${m.name} names its source`);
  }
});

test("each ecosystem's messages are run by its decoder's test, decoders/<ecosystem>.test.ts", () => {
  for (const c of corpora) {
    // Compiled into dist/ the test is a .js file; both names are looked for so the check reads the same in either tree.
    const file = path.join(__dirname, 'decoders', `${c.ecosystem}.test`);
    assert.ok(fs.existsSync(`${file}.js`) || fs.existsSync(`${file}.ts`), `${c.ecosystem}: no decoders/${c.ecosystem}.test.ts`);
  }
});
