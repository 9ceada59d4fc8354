/** parseConfig of the threshold-alert node: defaults, rules hash, errors naming the field. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../nodes/threshold-alert/config';
import { DEFAULT_RULES } from '../../nodes/threshold-alert/rules';

test('parseConfig: defaults, validation errors name the field', () => {
  const cfg = parseConfig({});
  assert.equal(cfg.rules.length, DEFAULT_RULES.length);
  assert.equal(cfg.historyLimit, 500);
  assert.equal(cfg.rulesHash, parseConfig({ rules: JSON.stringify(DEFAULT_RULES) }).rulesHash);
  assert.notEqual(cfg.rulesHash, parseConfig({ rules: '[]' }).rulesHash);
  assert.throws(() => parseConfig({ rules: '[{' }), /rules: not valid JSON/);
  assert.throws(() => parseConfig({ historyLimit: 'x' }), /historyLimit must be a number from 10 to 10000/);
  assert.throws(() => parseConfig({ rules: '[{"id":"a","metric":"t","operator":"?","threshold":1}]' }), /rules\[0\]\.operator/);
});
