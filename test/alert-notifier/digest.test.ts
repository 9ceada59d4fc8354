/** The digest of held-back notifications: its severity, email and webhook body. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { digestEmail, digestItem, digestKey, digestSeverity, digestWebhook } from '../../nodes/alert-notifier/digest';
import type { Channel } from '../../nodes/alert-notifier/outbox';
import type { Severity } from '../../nodes/common/types';
import type { Digest } from '../../nodes/alert-notifier/digest-window';

const T0 = Date.UTC(2024, 0, 1, 12, 0, 0);

function digest(over: Partial<Digest> = {}): Digest {
  return {
    key: 'temp-high:email',
    windowStart: T0,
    windowEnd: T0 + 60_000,
    count: 2,
    held: [
      { alertId: 'a1', deviceId: 'esp32-01', event: 'fired', severity: 'warning', title: 'Hot <1>', at: T0 + 1000 },
      { alertId: 'a2', deviceId: 'esp32-02', event: 'fired', severity: 'info', title: 'Hot 2', at: T0 + 2000 },
    ],
    ...over,
  };
}

test('digestSeverity is the highest severity held; unknown ones count as nothing', () => {
  assert.equal(digestSeverity(digest()), 'warning');
  assert.equal(digestSeverity(digest({ held: [{ severity: 'bogus', at: 0 }] })), 'info');
  assert.equal(digestSeverity(digest({ held: [] })), 'info');
  const held = [...digest().held, { severity: 'critical', at: 3 }, { severity: 'info', at: 4 }];
  assert.equal(digestSeverity(digest({ held })), 'critical');
});

test('digestEmail lists each held notification, the window, and what is beyond the list', () => {
  const e = digestEmail(digest({ count: 5 }), 'temp-high', ['ops@test.local']);
  assert.deepEqual(e.to, ['ops@test.local']);
  assert.equal(e.subject, '[DIGEST] 5 notifications held back for rule temp-high');
  assert.match(e.text, /Rate limit reached for rule temp-high \(2024-01-01T12:00:00\.000Z – 2024-01-01T12:01:00\.000Z\)/);
  assert.match(e.text, /2024-01-01T12:00:01\.000Z {2}fired {2}esp32-01 {2}Hot <1>\n/);
  assert.match(e.text, /… and 3 more$/);
  assert.match(e.html ?? '', /<li>[^<]*Hot &lt;1&gt;<\/li>/, 'titles are escaped in HTML');
  assert.match(e.html ?? '', /<p>\n… and 3 more<\/p>$/);
  const exact = digestEmail(digest(), 'temp-high', []);
  assert.doesNotMatch(exact.text, /more/);
  assert.doesNotMatch(exact.html ?? '', /more/);
});

test('digestEmail keeps the subject on one line whatever the rule id holds', () => {
  assert.equal(digestEmail(digest(), 'a\r\nBcc: x@evil', []).subject, '[DIGEST] 2 notifications held back for rule a Bcc: x@evil');
});

test('digestWebhook carries the window, the count and the held summaries', () => {
  const d = digest();
  assert.deepEqual(JSON.parse(digestWebhook(d, 'temp-high', 'webhook').body), {
    event: 'digest',
    ruleId: 'temp-high',
    channel: 'webhook',
    count: 2,
    windowStart: d.windowStart,
    windowEnd: d.windowEnd,
    held: d.held,
  });
});

test('digestKey: one per rule, channel and window start, whichever instance builds it; a later part has its own', () => {
  const d = digest({ key: 'temp-high|webhook' });
  assert.equal(digestKey(d), digestKey({ ...d, held: [], count: 9, windowEnd: 0 }));
  const keys = [d, { ...d, windowStart: T0 + 1 }, { ...d, key: 'temp-high|email' }, { ...d, part: 1 }, { ...d, part: 2 }].map(digestKey);
  assert.equal(new Set(keys).size, 5);
});

test('digestItem: the channel from the key, the email or webhook body, or nothing when the channel cannot carry it', () => {
  const content = (to: string[]) => ({
    recipients: (_s: Severity) => to,
    unusable: (ch: Channel, _s: Severity) => (ch === 'email' && !to.length ? 'no email recipients' : undefined),
  });
  const mail = digestItem(digest({ key: 'rule|with|bars|email' }), content(['ops@test.local']), T0 + 5);
  assert.deepEqual(
    [mail?.channel, mail?.kind, mail?.ref, mail?.createdAt, mail?.attempts],
    ['email', 'digest', { ruleId: 'rule|with|bars', event: 'digest', severity: 'warning' }, T0 + 5, 0],
  );
  assert.equal(mail?.email?.subject, '[DIGEST] 2 notifications held back for rule rule|with|bars');
  assert.equal(mail?.key, digestKey(digest({ key: 'rule|with|bars|email' })));
  const hook = digestItem(digest({ key: 'temp-high|webhook' }), content([]), T0);
  assert.equal((JSON.parse(hook?.webhook?.body ?? '{}') as { count: number }).count, 2);
  assert.equal(digestItem(digest({ key: 'temp-high|email' }), content([]), T0), undefined);
});
