import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { APP_CREDENTIALS_FILE, appCredentials, readBrokerUsers } from '../../app/broker-users';

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'broker-users-'));
const HASH = '$2b$10$abcdefghijklmnopqrstuuQWERTYUIOPASDFGHJKLZXCVBNMqwert';

test('app credentials: made once with mode 0600, then read back; a broken file is an error', () => {
  const dir = path.join(tmp(), 'data');
  try {
    const c = appCredentials(dir);
    assert.equal(c.username, 'iot-app');
    assert.ok(c.password.length >= 16);
    const file = path.join(dir, APP_CREDENTIALS_FILE);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(appCredentials(dir), c, 'the same credentials on the next start');
    fs.writeFileSync(file, JSON.stringify({ username: 'iot-app', password: 'short' }));
    assert.notEqual(appCredentials(dir).password, 'short', 'a weak password is replaced');
    fs.writeFileSync(file, '{oops');
    assert.throws(() => appCredentials(dir), /is not readable JSON: delete it to make new credentials/);
  } finally {
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  }
});

test('broker users: a missing file is no users; entries are checked one by one', () => {
  const dir = tmp();
  const file = path.join(dir, 'users.json');
  const write = (v: unknown): void => fs.writeFileSync(file, typeof v === 'string' ? v : JSON.stringify(v));
  try {
    assert.deepEqual(readBrokerUsers(file), []);
    write([{ username: 'dev-1', passwordHash: HASH, role: 'device', extra: 1 }]);
    assert.deepEqual(readBrokerUsers(file), [{ username: 'dev-1', passwordHash: HASH, role: 'device' }]);
    write('not json');
    assert.throws(() => readBrokerUsers(file), /must be JSON/);
    write({ username: 'x' });
    assert.throws(() => readBrokerUsers(file), /must hold an array of users/);
    write([{ username: 'a b', passwordHash: HASH, role: 'device' }]);
    assert.throws(() => readBrokerUsers(file), /user 1 needs a username/);
    write([{ username: 'op', passwordHash: 'plain', role: 'operator' }]);
    assert.throws(() => readBrokerUsers(file), /user op needs a bcrypt passwordHash/);
    write([{ username: 'op', passwordHash: HASH, role: 'admin' }]);
    assert.throws(() => readBrokerUsers(file), /user op needs role "operator" or "device"/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
