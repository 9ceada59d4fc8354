/** Logins and roles from the environment and the users file (app/auth/users.ts). */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { envUsers, loadUsers, parseUsersFile } from '../../../app/auth/users';
import { tempDir } from '../../support/services';

const HASH = '$2b$10$VZwvWwPBn9oVlUgdcU126OW8bzq7SzU4uBP1iSribUq7o6BiFTz2S';

test('the single-user variables of earlier versions stay the admin; operator and viewer have their own', () => {
  assert.deepEqual(envUsers({ ADMIN_PASSWORD_HASH: HASH }), [{ username: 'admin', hash: HASH, role: 'admin' }]);
  assert.deepEqual(
    envUsers({ ADMIN_USER: 'root', ADMIN_PASSWORD_HASH: HASH, OPERATOR_PASSWORD_HASH: HASH, VIEWER_USER: 'wall', VIEWER_PASSWORD_HASH: HASH }).map((u) => [
      u.username,
      u.role,
    ]),
    [
      ['root', 'admin'],
      ['operator', 'operator'],
      ['wall', 'viewer'],
    ],
  );
  assert.deepEqual(envUsers({}), []);
  assert.throws(() => envUsers({ OPERATOR_PASSWORD_HASH: 'plain-password' }), /OPERATOR_PASSWORD_HASH: passwordHash of operator must be a bcrypt hash/);
});

test('users file: entries checked, naming the file, the entry and the field', () => {
  const ok = parseUsersFile(JSON.stringify([{ username: 'ana', passwordHash: HASH, role: 'operator' }]), 'users.json');
  assert.deepEqual(ok, [{ username: 'ana', hash: HASH, role: 'operator' }]);
  assert.throws(() => parseUsersFile('{', 'u.json'), /u\.json is not valid JSON/);
  assert.throws(() => parseUsersFile('{}', 'u.json'), /must hold a JSON array/);
  assert.throws(
    () => parseUsersFile(JSON.stringify([{ username: 'a', passwordHash: HASH, role: 'root' }]), 'u.json'),
    /u\.json entry 1: role of a must be one of admin, operator, viewer, got "root"/,
  );
  assert.throws(() => parseUsersFile(JSON.stringify([{ username: 'a b', passwordHash: HASH, role: 'viewer' }]), 'u.json'), /entry 1: username/);
  assert.throws(() => parseUsersFile(JSON.stringify([{ username: 'a', passwordHash: 'x', role: 'viewer' }]), 'u.json'), /bcrypt hash/);
});

test('loadUsers: environment plus <DATA_DIR>/users.json (absent is fine), APP_USERS_FILE must exist, no name twice', () => {
  const dir = tempDir('users');
  assert.deepEqual(
    loadUsers({ ADMIN_PASSWORD_HASH: HASH }, dir).map((u) => u.username),
    ['admin'],
  );
  fs.writeFileSync(path.join(dir, 'users.json'), JSON.stringify([{ username: 'vic', passwordHash: HASH, role: 'viewer' }]));
  assert.deepEqual(
    loadUsers({ ADMIN_PASSWORD_HASH: HASH }, dir).map((u) => `${u.username}:${u.role}`),
    ['admin:admin', 'vic:viewer'],
  );
  assert.throws(() => loadUsers({ VIEWER_USER: 'vic', VIEWER_PASSWORD_HASH: HASH }, dir), /user vic is defined twice/);
  assert.throws(() => loadUsers({ APP_USERS_FILE: path.join(dir, 'nope.json') }, dir), /APP_USERS_FILE .*nope\.json cannot be read/);
  const other = path.join(dir, 'other.json');
  fs.writeFileSync(other, JSON.stringify([{ username: 'ops', passwordHash: HASH, role: 'operator' }]));
  assert.deepEqual(
    loadUsers({ APP_USERS_FILE: other }, dir).map((u) => u.username),
    ['ops'],
  );
});
