/** Durable outbox: atomic files, reload, journal of delivered keys, quarantine of bad files. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'fs';
import path from 'path';
import { tempDir } from '../support/services';
import { Outbox, OutboxItem, newItem, newItemId } from '../../nodes/alert-notifier/outbox';

const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
function dir(): string {
  const d = tempDir('outbox');
  dirs.push(d);
  return path.join(d, 'outbox', 'n1');
}

function item(n: number, channel: 'email' | 'webhook' = 'webhook'): OutboxItem {
  return {
    id: newItemId(1000 + n, channel),
    channel,
    key: `k${n}`,
    kind: 'alert',
    createdAt: 1000 + n,
    attempts: 0,
    nextAt: 1000 + n,
    ref: { alertId: `a${n}` },
    webhook: { body: `{"n":${n}}` },
  };
}

test('items survive a reload, oldest first, and leave no temp files', async () => {
  const d = dir();
  const ob = new Outbox(d);
  assert.deepEqual(await ob.open(), []);
  for (const n of [3, 1, 2]) await ob.add(item(n));
  const first = ob.items()[0];
  first.attempts = 4;
  first.lastError = 'ECONNREFUSED';
  await ob.update(first);
  assert.equal(fs.readdirSync(d).filter((f) => f.includes('.tmp-')).length, 0);
  const again = new Outbox(d);
  const items = await again.open();
  assert.deepEqual(
    items.map((i) => i.key),
    ['k1', 'k2', 'k3'],
  );
  assert.equal(items[0].attempts, 4);
  assert.equal(items[0].lastError, 'ECONNREFUSED');
});

test('complete journals the key: the item is gone, has() stays true after a reload', async () => {
  const d = dir();
  const ob = new Outbox(d);
  await ob.open();
  const it = item(1);
  await ob.add(it);
  assert.equal(ob.has('webhook', 'k1'), true);
  assert.equal(ob.has('email', 'k1'), false, 'keys are per channel');
  await ob.complete(it);
  assert.equal(ob.size, 0);
  const again = new Outbox(d);
  await again.open();
  assert.equal(again.has('webhook', 'k1'), true);
});

test('an item sent just before a crash (journaled, file not yet removed) is dropped on reload', async () => {
  const d = dir();
  const ob = new Outbox(d);
  await ob.open();
  const it = item(1);
  await ob.add(it);
  fs.appendFileSync(path.join(d, 'delivered.log'), `${Date.now()} webhook:k1\n`);
  const again = new Outbox(d);
  assert.deepEqual(await again.open(), []);
  assert.equal(fs.readdirSync(d).filter((f) => f.endsWith('.item.json')).length, 0);
});

test('old journal entries are forgotten; stale temp files removed; unreadable items set aside', async () => {
  const d = dir();
  fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(d, 'delivered.log'), `${Date.now() - 49 * 3600_000} webhook:old\n${Date.now()} webhook:new\n`);
  fs.writeFileSync(path.join(d, 'x.item.json.tmp-1-abc'), '{"half');
  fs.writeFileSync(path.join(d, 'bad.item.json'), '{"half');
  const ob = new Outbox(d);
  await ob.open();
  assert.equal(ob.has('webhook', 'old'), false);
  assert.equal(ob.has('webhook', 'new'), true);
  assert.deepEqual(ob.quarantined, ['bad.item.json']);
  assert.deepEqual(fs.readdirSync(d).sort(), ['bad.item.json.bad', 'delivered.log']);
});

test('remove deletes without journaling', async () => {
  const d = dir();
  const ob = new Outbox(d);
  await ob.open();
  const it = item(1);
  await ob.add(it);
  await ob.remove(it);
  assert.equal(ob.has('webhook', 'k1'), false);
  assert.equal((await new Outbox(d).open()).length, 0);
});

test('newItem: due now, not yet tried, its id sorting by creation time', () => {
  const a = newItem('email', 'k1', 'digest', { ruleId: 'r' }, 2000);
  const b = newItem('email', 'k2', 'alert', {}, 3000);
  assert.deepEqual([a.channel, a.key, a.kind, a.ref, a.createdAt, a.nextAt, a.attempts], ['email', 'k1', 'digest', { ruleId: 'r' }, 2000, 2000, 0]);
  assert.ok(a.id < b.id && a.id.includes('-email-'));
});
