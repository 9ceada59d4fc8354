/**
 * GroupSender: transitions into their groups (a key already grouped, queued or delivered is a
 * duplicate), a group of one sent as the alert alone and a larger one as one list through the
 * notifier's path, every waiting group sent on close, and what that path did not queue reported.
 * Through the notifier and a real receiver: notifier.test.ts, shared-groups.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Alert } from '../../nodes/common/types';
import { parseConfig, DEFAULTS } from '../../nodes/alert-notifier/config';
import { NotificationContent } from '../../nodes/alert-notifier/content';
import { AlertGrouper } from '../../nodes/alert-notifier/grouping';
import { GroupSender } from '../../nodes/alert-notifier/group-sender';
import type { IntakeResult } from '../../nodes/alert-notifier/notifier-types';
import { newItem, type Channel, type OutboxItem } from '../../nodes/alert-notifier/outbox';
import { localGroups } from '../../nodes/alert-notifier/shared-groups';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alert = (deviceId: string): Alert => ({
  id: `a-${deviceId}`,
  ruleId: 'silent',
  deviceId,
  metric: 'last_seen',
  value: 30,
  threshold: 20,
  severity: 'warning',
  state: 'firing',
  since: 1,
  title: 'Device silent',
  text: `${deviceId} silent`,
});

function setup(opts: { waitMs?: number; has?: (channel: Channel, key: string) => boolean; status?: IntakeResult['status'] } = {}) {
  const content = new NotificationContent(parseConfig({ ...DEFAULTS, url: 'http://127.0.0.1:1/hook', to: 'ops@test.local' }, {}), { kind: 'smtp' }, '/tmp');
  const sent: Array<{ key: string; kind: string; ref: OutboxItem['ref']; items: OutboxItem[] }> = [];
  const results: IntakeResult[] = [];
  const lost: unknown[] = [];
  const g = new GroupSender({
    store: localGroups(new AlertGrouper(opts.waitMs ?? 60, 10_000, 50)),
    content,
    now: Date.now,
    channels: () => ['email', 'webhook'],
    has: opts.has ?? (() => false),
    send: async (key, kind, ref, severity, limit, at, fill) => {
      const items = (['email', 'webhook'] as Channel[]).map((channel) => {
        const item = newItem(channel, key, kind, ref, at);
        fill(item, channel);
        return item;
      });
      sent.push({ key, kind, ref, items });
      return items.map((i) => ({ channel: i.channel, key, ref, at, status: opts.status ?? 'queued' }));
    },
    device: (id) => (id === 'd1' ? { id, name: 'Hall sensor', location: 'Hall', type: '', owner: '' } : undefined),
    onResult: (r) => results.push(r),
    lost: (err) => lost.push(err),
  });
  return { g, sent, results, lost };
}

test('three alerts that start together go out once, as one list, when the wait ends; the same key twice is a duplicate', async () => {
  const { g, sent } = setup();
  const at = Date.now();
  const r1 = await g.add(alert('d1'), 'fired', 'k1', { ruleId: 'silent' }, {}, at);
  assert.deepEqual(
    r1.map((r) => r.status),
    ['grouped', 'grouped'],
  );
  const again = await g.add(alert('d1'), 'fired', 'k1', { ruleId: 'silent' }, {}, at);
  assert.deepEqual(
    again.map((r) => r.status),
    ['duplicate', 'duplicate'],
  );
  await g.add(alert('d2'), 'fired', 'k2', { ruleId: 'silent' }, {}, at);
  await g.add(alert('d3'), 'fired', 'k3', { ruleId: 'silent' }, {}, at);
  assert.equal(g.waiting, 3);
  assert.equal(sent.length, 0, 'nothing before the wait ends');
  await wait(150);
  assert.equal(sent.length, 1);
  const [s] = sent;
  assert.equal(s.kind, 'group');
  assert.equal(s.ref.count, 3);
  assert.ok(!['k1', 'k2', 'k3'].includes(s.key), 'the group has a key of its own');
  const body = JSON.parse(s.items.find((i) => i.channel === 'webhook')!.webhook!.body);
  assert.deepEqual([body.event, body.count, body.alerts.map((a: Alert) => a.deviceId)], ['group', 3, ['d1', 'd2', 'd3']]);
  assert.equal(body.alerts[0].device.name, 'Hall sensor', 'names from the registry');
  assert.match(s.items.find((i) => i.channel === 'email')!.email!.subject, /3 alerts fired for rule silent/);
  assert.equal(g.waiting, 0);
  await g.close();
});

test('a group of one goes out as the alert itself, under its own key', async () => {
  const { g, sent } = setup();
  await g.add(alert('d9'), 'fired', 'k9', { ruleId: 'silent', alertId: 'a-d9' }, {}, Date.now());
  await wait(150);
  assert.equal(sent.length, 1);
  assert.deepEqual([sent[0].kind, sent[0].key, sent[0].ref.alertId], ['alert', 'k9', 'a-d9']);
  await g.close();
});

test('a channel that already holds the key makes that channel a duplicate; close sends what waits; what was not queued is reported', async () => {
  const { g, sent, results } = setup({ waitMs: 60_000, has: (channel, key) => channel === 'email' && key === 'k1', status: 'held' });
  const r = await g.add(alert('d1'), 'fired', 'k1', { ruleId: 'silent' }, {}, Date.now());
  assert.deepEqual(
    r.map((x) => `${x.channel}:${x.status}`),
    ['email:duplicate', 'webhook:grouped'],
  );
  await g.add(alert('d2'), 'fired', 'k2', { ruleId: 'silent' }, {}, Date.now());
  assert.equal(sent.length, 0);
  await g.close();
  assert.equal(sent.length, 1, 'close does not wait for the group wait');
  assert.equal(sent[0].kind, 'group');
  assert.equal(sent[0].ref.count, 2);
  assert.deepEqual(
    results.map((x) => x.status),
    ['held', 'held'],
    'the path held them (rate limit): reported',
  );
});
