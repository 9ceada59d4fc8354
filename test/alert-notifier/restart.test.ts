/**
 * Restart: deliveries pending in the outbox when the flow stops (receivers
 * down) are sent after the flow is loaded again on the same data folder,
 * exactly once; deliveries made before the restart are not repeated.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'fs';
import path from 'path';
import { tempDir } from '../support/services';

const DATA = tempDir('notifier-restart');
process.env.DATA_DIR = DATA;

import { helper, load, nodeModule } from '../support/red';
import { SmtpReceiver, HttpReceiver, waitFor } from './receivers';
import { alert, notifierFlow } from './fixtures';

const SECRET = 'restart-secret';
const smtp = new SmtpReceiver();
const web = new HttpReceiver(SECRET);
const nodes = [nodeModule('alert-notifier'), require('../../nodes/alert-notifier/smtp-config')];
const outboxDir = path.join(DATA, 'outbox', 'n1');
const pending = (): number => (fs.existsSync(outboxDir) ? fs.readdirSync(outboxDir).filter((f) => f.endsWith('.item.json')).length : 0);

before(async () => {
  await smtp.start();
  await web.start();
  await new Promise<void>((r) => helper.startServer(() => r()));
});
after(async () => {
  await helper.unload();
  await new Promise<void>((r) => helper.stopServer(() => r()));
  await smtp.stop();
  await web.stop();
  fs.rmSync(DATA, { recursive: true, force: true });
});

test('pending outbox items are delivered after an unload/load, exactly once', { timeout: 90_000 }, async () => {
  // Slow retries: nothing may be retried in the gap, only after the reload.
  const flow = notifierFlow({
    smtpPort: smtp.port,
    webhookUrl: `${web.url}/hook`,
    notifier: { retryInitialS: 30, retryMaxS: 60, rateMax: 2, rateWindowS: 3600 },
  });
  const creds = { n1: { secret: SECRET } };
  await load(nodes, flow, creds);
  for (let i = 0; i < 2; i++) helper.getNode('n1').receive({ payload: alert({ id: `before-${i}` }), event: 'fired' });
  await waitFor('2 + 2 delivered before the outage', () => smtp.mails.length === 2 && web.requests.length === 2);

  await smtp.stop();
  await web.stop();
  // The rate limit (2 per rule and channel) is used up: these are held for a
  // digest, which must not be lost by the restart either.
  for (let i = 0; i < 3; i++) helper.getNode('n1').receive({ payload: alert({ id: `held-${i}`, ruleId: 'temp-high' }), event: 'fired' });
  for (let i = 0; i < 4; i++) helper.getNode('n1').receive({ payload: alert({ id: `during-${i}`, ruleId: `rule-${i}` }), event: 'fired' });
  await waitFor('8 items in the outbox', () => pending() === 8);
  await helper.unload();
  assert.equal(pending(), 10, 'after close: 8 deliveries plus one digest per channel stay on disk');
  const files = fs.readdirSync(outboxDir).filter((f) => f.endsWith('.item.json'));
  // Each channel tries its oldest item and pauses on failure: at least one item per channel holds the failed attempt.
  const items = files.map((f) => fs.readFileSync(path.join(outboxDir, f), 'utf8'));
  assert.ok(
    items.some((text) => {
      const item = JSON.parse(text);
      return item.attempts >= 1 && item.lastError;
    }),
    'the failed attempt is recorded',
  );
  assert.ok(
    items.every((text) => !text.includes(SECRET)),
    'no secret in outbox files',
  );

  await smtp.start(smtp.port);
  await web.start(web.port);
  await load(nodes, flow, creds);
  await waitFor('all delivered after the reload', () => smtp.mails.length >= 7 && web.requests.length >= 7 && pending() === 0, 30_000);
  await new Promise((r) => setTimeout(r, 1500));

  assert.equal(smtp.mails.length, 7, '2 before + 4 + 1 digest');
  assert.equal(web.requests.length, 7);
  assert.ok(
    [...smtp.counts().values()].every((c) => c === 1),
    'no email twice',
  );
  assert.ok(
    [...web.counts().values()].every((c) => c === 1),
    'no webhook twice',
  );
  const digest = smtp.mails.find((m) => /DIGEST/.test(m.headers.subject));
  assert.equal(digest?.headers.subject, '[DIGEST] 3 notifications held back for rule temp-high');
  const hookDigest = web.requests.find((r) => (r.json as { event?: string }).event === 'digest');
  assert.equal((hookDigest?.json as { count?: number }).count, 3);

  // The same transitions arriving again (an upstream replay) are recognised as duplicates.
  const out: string[] = [];
  helper.getNode('out').on('input', (m: { payload: { status: string } }) => out.push(m.payload.status));
  helper.getNode('n1').receive({ payload: alert({ id: 'during-0', ruleId: 'rule-0' }), event: 'fired' });
  await waitFor('two duplicate results', () => out.length === 2);
  assert.deepEqual(out, ['duplicate', 'duplicate']);
  assert.equal(web.requests.length, 7);
});
