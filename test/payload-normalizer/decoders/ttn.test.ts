/** Every message of the ttn corpus (corpus/ttn.json) gives the Reading it names. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { check, loadCorpus, run } from '../corpus';

const c = loadCorpus('ttn');
describe(`corpus ${c.ecosystem}`, () => {
  for (const m of c.messages) {
    test(m.name, () => assert.equal(check(m, run(m)), ''));
  }
});
