/** Every message of the esphome corpus (corpus/esphome.json) gives the Reading it names. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { check, loadCorpus, run } from '../corpus';

const c = loadCorpus('esphome');
describe(`corpus ${c.ecosystem}`, () => {
  for (const m of c.messages) {
    test(m.name, () => assert.equal(check(m, run(m)), ''));
  }
});
