/** The audit record (app/audit.ts) and what the runtime hook and the broker put into it (app/audit-hook.ts). */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { AuditLog } from '../../app/audit';
import { auditReceive, brokerEntry, AuditHookOptions } from '../../app/audit-hook';
import type { DashboardSession } from '../../app/auth';
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

function hookOpts(loginRequired: boolean, sessions: Map<string, DashboardSession> = new Map()): AuditHookOptions & { log: AuditLog } {
  const log = new AuditLog(path.join(tempDir('audit'), 'audit.jsonl'));
  return { audit: log, log, sessions, loginRequired, brokerRecords: true };
}
const at = (type: string, msg: Record<string, unknown>) => ({ msg, destination: { id: 'n1', node: { type, id: 'n1' } } });

test("dashboard control: a viewer's is stopped and recorded as refused; an operator's carries the login name", () => {
  const sessions = new Map<string, DashboardSession>([
    ['s-view', { username: 'vic', role: 'viewer', address: '10.0.0.7' }],
    ['s-op', { username: 'ana', role: 'operator', address: '10.0.0.8' }],
  ]);
  const o = hookOpts(true, sessions);
  assert.equal(
    auditReceive(o, at('threshold-alert', { topic: 'ack', payload: { alertId: 'al-1', by: 'someone else' }, _client: { socketId: 's-view' } })),
    false,
  );
  const msg = { topic: 'ack', payload: { alertId: 'al-1', by: 'typed name', reason: 'on it' }, _client: { socketId: 's-op' } };
  assert.equal(auditReceive(o, at('threshold-alert', msg)), undefined);
  assert.equal(msg.payload.by, 'ana');
  assert.equal(
    auditReceive(o, at('servo-command', { payload: { deviceId: 'cam-1', direction: 'left' }, _client: { socketId: 'unknown-socket' } })),
    false,
    'a socket without a login is refused',
  );
  const [unknown, ack, refused] = o.log.list();
  assert.deepEqual(
    [refused.user, refused.role, refused.from, refused.action, refused.target, refused.outcome],
    ['vic', 'viewer', '10.0.0.7', 'ack', 'al-1', 'refused'],
  );
  assert.deepEqual([ack.user, ack.role, ack.from, ack.detail, ack.outcome], ['ana', 'operator', '10.0.0.8', 'on it', 'accepted']);
  assert.equal(unknown.outcome, 'refused');
});

test("the API's mark is recorded and removed; readings, lists and device acks are no control", () => {
  const o = hookOpts(true);
  const msg: Record<string, unknown> = { topic: 'rules', payload: [{}, {}], _audit: { user: 'ana', role: 'operator', from: '127.0.0.1' } };
  auditReceive(o, at('threshold-alert', msg));
  assert.equal(msg._audit, undefined);
  auditReceive(o, at('threshold-alert', { topic: 'list', payload: {} }));
  auditReceive(o, at('threshold-alert', { payload: { deviceId: 'd', metrics: { t: 1 } } }));
  auditReceive(o, at('servo-command', { topic: 'commands/cam/servo/ack', payload: { id: 'c', status: 'executed' } }));
  auditReceive(o, at('camera-recorder', { payload: { event: { type: 'motion' } } }));
  auditReceive(o, at('function', { topic: 'ack', payload: {}, _client: { socketId: 'x' } }));
  const list = o.log.list();
  assert.equal(list.length, 1);
  assert.deepEqual([list[0].action, list[0].target, list[0].detail], ['rules', 'n1', '2 rules']);
});

test('without logins the dashboard acts as the typed name; through an external broker the publisher is unknown', () => {
  const o = { ...hookOpts(false), brokerRecords: false };
  auditReceive(o, at('threshold-alert', { topic: 'resolve', payload: { alertId: 'a', by: 'ana' }, _client: { socketId: 's', socketIp: '10.1.1.1' } }));
  auditReceive(o, at('threshold-alert', { topic: 'arm', payload: { deviceId: 'dev-1', armed: true } }));
  const [arm, resolve] = o.log.list();
  assert.deepEqual([resolve.user, resolve.role, resolve.from], ['ana', 'none', '10.1.1.1']);
  assert.deepEqual([arm.action, arm.target, arm.from], ['arm', 'dev-1', 'mqtt']);
});

test('broker entries: who, mqtt:<clientId>, the action from the topic and the outcome of the ACL', () => {
  const e = brokerEntry({
    clientId: 'ops-laptop',
    username: 'ops',
    role: 'operator',
    topic: 'alerts/control/ack',
    payload: Buffer.from('{"alertId":"x1","by":"ops","reason":"seen"}'),
    allowed: true,
  });
  assert.deepEqual(e, { user: 'ops', role: 'operator', from: 'mqtt:ops-laptop', outcome: 'accepted', action: 'ack', target: 'x1', detail: 'seen' });
  const c = brokerEntry({ clientId: 'c9', role: 'anonymous', topic: 'commands/cam-1/servo', payload: Buffer.from('{"angle":90}'), allowed: false });
  assert.deepEqual([c.user, c.action, c.target, c.outcome, c.detail], ['anonymous', 'command', 'cam-1', 'refused', 'servo {"angle":90}']);
  assert.equal(
    brokerEntry({ clientId: 'c', role: 'operator', topic: 'alerts/control/rules', payload: Buffer.from('[{},{},{}]'), allowed: true }).detail,
    '3 rules',
  );
});
