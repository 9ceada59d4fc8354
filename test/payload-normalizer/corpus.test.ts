/** Every message of the firmware corpus (corpus/<ecosystem>.json) gives the Reading it names. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { check, loadCorpora, run } from './corpus';

const corpora = loadCorpora();

test('the corpus has at least 10 messages with a source per ecosystem', () => {
  assert.ok(corpora.length >= 11, `${corpora.length} ecosystems`);
  for (const c of corpora) {
    assert.ok(c.messages.length >= 10, `${c.ecosystem}: ${c.messages.length} messages`);
    for (const m of c.messages) assert.ok(m.source && m.topic, `${c.ecosystem}/${m.name} names its source`);
  }
});

for (const c of corpora) {
  describe(`corpus ${c.ecosystem}`, () => {
    for (const m of c.messages) {
      test(m.name, () => assert.equal(check(m, run(m)), ''));
    }
  });
}
