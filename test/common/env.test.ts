/** `${VAR}` leftovers: looked up (lookupEnvRef) or blanked (blankEnvRef). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blankEnvRef, envRefName, lookupEnvRef } from '../../nodes/common/env';

test('lookupEnvRef: an unresolved ${VAR} (Node-RED leaves it when unset) reads the env or is empty', () => {
  assert.equal(lookupEnvRef('${NOPE_X}', {}), '');
  assert.equal(lookupEnvRef('${A_URL}', { A_URL: ' http://x ' }), 'http://x');
  assert.equal(
    lookupEnvRef(' ${A_URL} ', (n) => (n === 'A_URL' ? 'y' : undefined)),
    'y',
    'a lookup function works too',
  );
  assert.equal(lookupEnvRef(' plain ', {}), 'plain');
  assert.equal(lookupEnvRef('pre-${A}', { A: 'x' }), 'pre-${A}', 'only whole values, like Node-RED');
  assert.equal(lookupEnvRef(undefined, {}), '');
  assert.equal(lookupEnvRef(null, {}), '');
  assert.equal(lookupEnvRef(42, {}), '42');
});

test('blankEnvRef: a ${...} leftover means "not set", never looked up', () => {
  process.env.BLANK_ENV_REF_TEST = 'set';
  try {
    assert.equal(blankEnvRef('${BLANK_ENV_REF_TEST}'), '');
  } finally {
    delete process.env.BLANK_ENV_REF_TEST;
  }
  assert.equal(blankEnvRef('${not a name}'), '');
  assert.equal(blankEnvRef(' http://db:8086 '), 'http://db:8086');
  assert.equal(blankEnvRef('x${A}'), 'x${A}');
  assert.equal(blankEnvRef(undefined), '');
  assert.equal(blankEnvRef(null), '');
});

test('envRefName: the variable of a whole-value reference', () => {
  const table: [unknown, string | undefined][] = [
    ['${DEVICE_ID}', 'DEVICE_ID'],
    [' ${A1_b} ', 'A1_b'],
    ['${A-B}', undefined],
    ['$DEVICE_ID', undefined],
    ['a${B}', undefined],
    [7, undefined],
    [undefined, undefined],
  ];
  for (const [value, want] of table) assert.equal(envRefName(value), want, String(value));
});
