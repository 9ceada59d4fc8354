/** One notification for a group of alerts: severity, email lines with device names, webhook body. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupEmail, groupSeverity, groupWebhook } from '../../nodes/alert-notifier/group-render';
import type { GroupBatch } from '../../nodes/alert-notifier/grouping';
import type { DeviceInfo } from '../../nodes/common/device-lookup';
import { alert } from './fixtures';

const T0 = Date.UTC(2024, 0, 1, 12, 0, 0);

function batch(over: Partial<GroupBatch> = {}): GroupBatch {
  return {
    ruleId: 'silent',
    event: 'fired',
    openedAt: T0,
    seq: 0,
    count: 2,
    members: [
      { key: 'k1', alert: alert({ id: 'a1', deviceId: 'dev-1', severity: 'info', title: 'Silent', text: 'no data <1h>' }), at: T0 },
      { key: 'k2', alert: alert({ id: 'a2', deviceId: 'dev-2', severity: 'warning', title: 'Silent', text: 'no data' }), by: 'alice', reason: 'known', at: T0 },
    ],
    ...over,
  };
}

const registry: Record<string, DeviceInfo> = { 'dev-1': { id: 'dev-1', name: 'Boiler', location: 'Cellar', type: '', owner: '' } };
const lookup = (id: string): DeviceInfo | undefined => registry[id];

test('groupSeverity is the highest severity of the members', () => {
  assert.equal(groupSeverity(batch()), 'warning');
  const b = batch();
  b.members[0].alert.severity = 'critical';
  assert.equal(groupSeverity(b), 'critical');
  assert.equal(groupSeverity(batch({ members: [] })), 'info');
});

test('groupEmail: subject tag and headline, one line per member with its device name and who acted', () => {
  const e = groupEmail(batch(), ['ops@test.local'], lookup);
  assert.deepEqual(e.to, ['ops@test.local']);
  assert.equal(e.subject, '[WARNING] 2 alerts fired for rule silent');
  assert.equal(
    e.text,
    '2 alerts fired for rule silent (group opened 2024-01-01T12:00:00.000Z):\n\n' +
      'Boiler (dev-1) · Cellar  Silent  no data <1h>\n' +
      'dev-2  Silent  no data  (alice: known)',
  );
  assert.match(e.html ?? '', /<li>Boiler \(dev-1\) · Cellar {2}Silent {2}no data &lt;1h&gt;<\/li>/);
});

test('groupEmail: follow-ups say "more", one alert is singular, members beyond the list are counted', () => {
  const follow = groupEmail(batch({ seq: 2, count: 5 }), []);
  assert.equal(follow.subject, '[WARNING] 5 more alerts fired for rule silent');
  assert.match(follow.text, /, follow-up 2\):/);
  assert.match(follow.text, /\n… and 3 more$/);
  assert.match(follow.html ?? '', /<p>… and 3 more<\/p>$/);
  const one = groupEmail(batch({ count: 1, members: batch().members.slice(0, 1) }), []);
  assert.equal(one.subject, '[INFO] 1 alert fired for rule silent');
  assert.doesNotMatch(one.text, /more/);
});

test('groupWebhook: the batch with each alert, its device and who acted', () => {
  const body = JSON.parse(groupWebhook(batch(), lookup).body);
  assert.deepEqual(
    { ...body, alerts: undefined },
    { event: 'group', transition: 'fired', ruleId: 'silent', severity: 'warning', count: 2, openedAt: T0, seq: 0, alerts: undefined },
  );
  assert.deepEqual(body.alerts[0].device, { id: 'dev-1', name: 'Boiler', location: 'Cellar' });
  assert.equal(body.alerts[0].by, undefined);
  assert.deepEqual(body.alerts[1].device, { id: 'dev-2', name: null, location: null });
  assert.deepEqual([body.alerts[1].id, body.alerts[1].by, body.alerts[1].reason], ['a2', 'alice', 'known']);
  assert.equal(JSON.parse(groupWebhook(batch()).body).alerts[0].device.name, null, 'no registry: no names');
});
