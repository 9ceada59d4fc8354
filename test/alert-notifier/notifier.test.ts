/**
 * Notifier on its own (no Node-RED): a real webhook receiver and the .eml
 * folder; what each message becomes per channel (queued, duplicate, skipped,
 * held, nothing), the digest at close, event mode and the full outbox.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { parseConfig } from '../../nodes/alert-notifier/config';
import { Notifier, NotifyResult } from '../../nodes/alert-notifier/notifier';
import { RemoteError, ValidationError } from '../../nodes/common/errors';
import { tempDir } from '../support/services';
import { alert } from './fixtures';
import { HttpReceiver, waitFor } from './receivers';

const web = new HttpReceiver('hook-secret');
const dirs: string[] = [];
const open: Notifier[] = [];
before(() => web.start());
after(async () => {
  for (const n of open) await n.close(200);
  await web.stop();
  dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
});

let seq = 0;
function notifier(def: Record<string, unknown>, claim?: (slot: string) => Promise<boolean>) {
  const data = tempDir('notifier');
  dirs.push(data);
  const path = `/n${seq++}`;
  const results: NotifyResult[] = [];
  const deps: ConstructorParameters<typeof Notifier>[0] = {
    cfg: parseConfig(
      {
        mode: 'alert',
        email: true,
        to: 'ops@test.local',
        webhook: true,
        url: `${web.url}${path}`,
        retryInitialS: 0.1,
        retryMaxS: 0.5,
        groupWaitS: 0,
        rateMax: 0,
        configVersion: 2,
        ...def,
      },
      {},
    ),
    dataFolder: data,
    outboxDir: `${data}/outbox`,
    mailFolder: `${data}/mail`,
    smtp: { kind: 'folder', from: 'iot@test.local', describe: 'folder', secrets: [] },
    webhookSecret: 'hook-secret',
    onResult: (r) => results.push(r),
    claim,
  };
  /** A new Notifier on the same folders: the node after a restart. */
  const again = (): Notifier => {
    const m = new Notifier(deps);
    open.push(m);
    return m;
  };
  const n = again();
  const hits = () => web.requests.filter((r) => r.url === path);
  return { n, results, data, hits, again };
}
/** notifier() with its outbox loaded, as the node does before its first message. */
async function started(def: Record<string, unknown>, claim?: (slot: string) => Promise<boolean>) {
  const x = notifier(def, claim);
  await x.n.start();
  return x;
}
const statuses = (rs: NotifyResult[]) => rs.map((r) => `${r.channel}:${r.status}`);

test('a fired alert is queued on both channels and delivered once; the same transition again is a duplicate', async () => {
  const { n, results, data, hits } = notifier({});
  await n.start();
  assert.deepEqual(statuses(await n.accept({ payload: alert(), event: 'fired' })), ['email:queued', 'webhook:queued']);
  await waitFor('both sent', () => results.filter((r) => r.status === 'sent').length === 2);
  assert.deepEqual(statuses(await n.accept({ payload: alert() })), ['email:duplicate', 'webhook:duplicate']);
  assert.equal(hits().length, 1);
  assert.equal(hits()[0].signatureOk, true);
  assert.equal((hits()[0].json as { alert: { id: string } }).alert.id, 'al-1');
  assert.equal(fs.readdirSync(`${data}/mail`).filter((f) => f.endsWith('.eml')).length, 1);
});

test('transitions switched off or not announced give nothing; a bad alert is refused', async () => {
  const { n } = notifier({ notifyResolved: false, notifyAcknowledged: false });
  assert.deepEqual(await n.accept({ payload: alert({ state: 'pending' }) }), []);
  assert.deepEqual(await n.accept({ payload: alert({ state: 'resolved' }) }), []);
  assert.deepEqual(await n.accept({ payload: alert({ state: 'acknowledged' }) }), []);
  await assert.rejects(n.accept({ payload: { id: 'x' } }), ValidationError);
  assert.equal(n.depth, 0);
});

test('a repeat gets its own key; a webhook without URL is skipped with the reason, .eml files need no recipient', async () => {
  const { n } = await started({ to: '', url: '' });
  const r = await n.accept({ payload: alert(), event: 'repeated', repeat: 2 });
  assert.deepEqual(statuses(r), ['email:queued', 'webhook:skipped']);
  assert.match(r[1].reason ?? '', /no webhook URL \(set WEBHOOK_URL/);
  const a = await (await started({})).n.accept({ payload: alert(), event: 'repeated', repeat: 1 });
  const fired = await (await started({})).n.accept({ payload: alert(), event: 'fired' });
  assert.notEqual(a[0].key, fired[0].key, 'a reminder is not the first notification');
});

test('beyond rateMax per rule and channel notifications are held, and go out as one digest at close', async () => {
  const { n, results, hits, again } = notifier({ email: false, rateMax: 2, rateWindowS: 600 });
  await n.start();
  const out: NotifyResult[] = [];
  for (let i = 0; i < 5; i++) out.push(...(await n.accept({ payload: alert({ id: `a${i}`, deviceId: `d${i}` }), event: 'fired' })));
  assert.deepEqual(
    out.map((r) => r.status),
    ['queued', 'queued', 'held', 'held', 'held'],
  );
  assert.match(out[2].reason ?? '', /rate limit: more than 2 in 600 s for rule temp-high/);
  await waitFor('2 sent', () => results.filter((r) => r.status === 'sent').length === 2);
  await n.close(1000);
  // Sent before the close ended, or kept in the outbox for the next start.
  await again().start();
  await waitFor('the digest', () => hits().length === 3);
  const digest = hits()[2].json as { event: string; count: number; held: Array<{ deviceId: string }> };
  assert.equal(digest.event, 'digest');
  assert.equal(digest.count, 3);
  assert.deepEqual(
    digest.held.map((h) => h.deviceId),
    ['d2', 'd3', 'd4'],
  );
});

test('event mode: any JSON object, keyed by msg.idempotencyKey or its content; other payloads refused', async () => {
  const { n } = await started({ mode: 'event', email: false });
  const a = await n.accept({ payload: { type: 'door_open', device_id: 'd1' }, topic: 'events/d1', idempotencyKey: 'door-1' });
  assert.deepEqual([a[0].status, a[0].key, a[0].ref.event, a[0].ref.topic], ['queued', 'door-1', 'door_open', 'events/d1']);
  const b = await n.accept({ payload: { type: 'door_open', device_id: 'd2' } });
  const c = await n.accept({ payload: { type: 'door_open', device_id: 'd2' } });
  assert.equal(c[0].status, 'duplicate', `same content, same key ${b[0].key}`);
  await assert.rejects(n.accept({ payload: 'text' }), /msg\.payload must be a JSON object in event mode/);
});

test('another instance holding the shared claim makes it a duplicate; a full outbox refuses', async () => {
  const { n } = await started({ email: false }, async () => true);
  const claimed = await started({ email: false }, async () => false);
  const r = await claimed.n.accept({ payload: alert(), event: 'fired' });
  assert.deepEqual([r[0].status, r[0].reason], ['duplicate', 'another instance sends this notification (shared journal)']);
  const full = await started({ email: false, outboxMax: 1, url: 'http://127.0.0.1:1/' });
  await full.n.accept({ payload: alert({ id: 'x1' }) });
  await assert.rejects(
    full.n.accept({ payload: alert({ id: 'x2' }) }),
    (e: unknown) => e instanceof RemoteError && /outbox full \(1 pending deliveries\)/.test(e.message),
  );
  assert.equal((await n.accept({ payload: alert() }))[0].status, 'queued');
});
