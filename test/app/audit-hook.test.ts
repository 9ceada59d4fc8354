/** What the runtime hook and the broker put into the audit record (app/audit-hook.ts). */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { AuditLog } from '../../app/audit';
import { auditReceive, brokerEntry, AuditHookOptions } from '../../app/audit-hook';
import type { DashboardSession } from '../../app/auth';
import { tempDir } from '../support/services';

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
