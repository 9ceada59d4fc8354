/** The audit record (app/audit.ts): JSON lines, newest first, filtered, rotated. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { AuditLog } from '../../app/audit';
import { tempDir } from '../support/services';

const entry = (i: number) => ({ user: `u${i}`, role: 'operator', from: '10.0.0.1', action: 'ack' as const, target: `a${i}`, outcome: 'accepted' as const });

test('entries are appended as JSON lines and listed newest first, filtered by action or user', () => {
  const file = path.join(tempDir('audit'), 'audit.jsonl');
  let now = Date.UTC(2026, 0, 1);
  const log = new AuditLog(file, {}, () => now);
  log.record(entry(1));
  now += 1000;
  log.record({ ...entry(2), action: 'rules', target: 'threshold-alert', detail: 'password http://u:pw-secret@h' });
  const all = log.list();
  assert.deepEqual(
    all.map((e) => e.user),
    ['u2', 'u1'],
  );
  assert.equal(all[1].ts, '2026-01-01T00:00:00.000Z');
  assert.doesNotMatch(all[0].detail || '', /pw-secret/, 'details go through the redaction path');
  assert.deepEqual(
    log.list(10, { action: 'ack' }).map((e) => e.target),
    ['a1'],
  );
  assert.deepEqual(
    log.list(10, { user: 'u2' }).map((e) => e.action),
    ['rules'],
  );
  assert.equal(fs.readFileSync(file, 'utf8').trim().split('\n').length, 2);
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
});

test('past maxBytes the file rotates once: the record stays bounded and the newest entries stay listed', () => {
  const file = path.join(tempDir('audit'), 'audit.jsonl');
  const log = new AuditLog(file, { maxBytes: 2000 });
  for (let i = 0; i < 200; i++) log.record(entry(i));
  const size = fs.statSync(file).size + fs.statSync(`${file}.1`).size;
  assert.ok(size <= 4000, `two files of at most 2000 bytes, got ${size}`);
  const listed = log.list(1000);
  assert.equal(listed[0].user, 'u199');
  assert.ok(listed.length > 10 && listed.length < 200, `older entries dropped (${listed.length} kept)`);
  // A new process reads on from the same files.
  assert.equal(new AuditLog(file, { maxBytes: 2000 }).list(1)[0].user, 'u199');
});
