/** installId: made once, kept in the data directory, the same on the next start; '' when it cannot be written. */
import assert from 'node:assert/strict';
import fs from 'fs';
import path from 'path';
import { test } from 'node:test';
import { installId } from '../../nodes/common/install-id';
import { tempDir } from '../support/services';

test('a new folder gets 8 hex digits, written to install-id; later calls answer the same', () => {
  const dir = path.join(tempDir('install-id'), 'data');
  const id = installId(dir);
  assert.match(id, /^[0-9a-f]{8}$/);
  assert.equal(fs.readFileSync(path.join(dir, 'install-id'), 'utf8'), `${id}\n`);
  assert.equal(installId(dir), id);
});

test('an id already in the folder is kept; a malformed one is replaced', () => {
  const kept = tempDir('install-id-kept');
  fs.writeFileSync(path.join(kept, 'install-id'), '0badcafe\n');
  assert.equal(installId(kept), '0badcafe');
  const broken = tempDir('install-id-broken');
  fs.writeFileSync(path.join(broken, 'install-id'), 'not-an-id');
  const id = installId(broken);
  assert.match(id, /^[0-9a-f]{8}$/);
  assert.equal(fs.readFileSync(path.join(broken, 'install-id'), 'utf8').trim(), id);
});

test('two folders get different ids', () => {
  assert.notEqual(installId(tempDir('install-id-a')), installId(tempDir('install-id-b')));
});

test('a folder that cannot be made gives an empty id instead of throwing', () => {
  const file = path.join(tempDir('install-id-ro'), 'a-file');
  fs.writeFileSync(file, '');
  assert.equal(installId(path.join(file, 'data')), '');
});
