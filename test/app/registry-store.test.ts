/** The registry's file helpers; openRegistry with its journal is exercised in registry-journal.test.ts. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { readRegistryFile, readSnapshot, registryMax, writeAtomic } from '../../app/registry-store';
import { tempDir } from '../support/services';

test('writeAtomic: the whole new content, mode 0600, no temporary file left; a failed rename leaves the old file', () => {
  const dir = tempDir('registry-store');
  const file = path.join(dir, 'devices.json');
  writeAtomic(file, 'first');
  writeAtomic(file, 'second');
  assert.equal(fs.readFileSync(file, 'utf8'), 'second');
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(fs.readdirSync(dir), ['devices.json']);
  fs.mkdirSync(path.join(dir, 'taken'));
  fs.writeFileSync(path.join(dir, 'taken', 'x'), 'x');
  assert.throws(() => writeAtomic(path.join(dir, 'taken'), 'data'));
  assert.deepEqual(fs.readdirSync(dir).sort(), ['devices.json', 'taken'], 'the temporary file is removed');
});

test('readSnapshot: none is empty, generation 0 when absent, anything without a devices list refused', () => {
  const dir = tempDir('registry-store');
  const file = path.join(dir, 'devices.json');
  assert.deepEqual(readSnapshot(file), { devices: [], generation: 0 });
  fs.writeFileSync(file, JSON.stringify({ version: 1, devices: [{ id: 'a' }] }));
  assert.deepEqual(readSnapshot(file), { devices: [{ id: 'a' }], generation: 0 });
  fs.writeFileSync(file, JSON.stringify({ version: 1, generation: 4, devices: [{ id: 'b' }] }));
  assert.deepEqual(readSnapshot(file), { devices: [{ id: 'b' }], generation: 4 });
  assert.deepEqual(readRegistryFile(file), [{ id: 'b' }]);
  fs.writeFileSync(file, JSON.stringify({ list: [] }));
  assert.throws(() => readSnapshot(file), /no "devices" list in it/);
  fs.writeFileSync(file, '{broken');
  assert.throws(() => readSnapshot(file), SyntaxError);
});

test('registryMax: the default when unset, a whole number from 1 to 1000000 otherwise', () => {
  assert.equal(registryMax(undefined), registryMax(''));
  assert.ok(registryMax(undefined) >= 1);
  assert.equal(registryMax('200'), 200);
  for (const bad of ['0', '1.5', 'many', '1000001'])
    assert.throws(() => registryMax(bad), /REGISTRY_MAX_DEVICES must be a whole number from 1 to 1000000/, bad);
});
