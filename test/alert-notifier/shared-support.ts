/**
 * Two Notifiers with the same node id are two instances: a real redis-server,
 * a real webhook receiver and a real SMTP server (used with `email: true`) for
 * the notifier's shared parts
 * (shared-limit.test.ts, shared-groups.test.ts). Call sharedNotifiers() at a
 * test file's top level: it registers the before/after hooks.
 */
import { after, before } from 'node:test';
import Redis from 'ioredis';
import { Notifier, NotifyResult } from '../../nodes/alert-notifier/notifier';
import { parseConfig } from '../../nodes/alert-notifier/config';
import { SharedRateLimit } from '../../nodes/alert-notifier/shared-limit';
import { SharedGroups } from '../../nodes/alert-notifier/shared-groups';
import { sharedClaim } from '../../nodes/alert-notifier/shared-journal';
import { smtpTarget } from '../../nodes/alert-notifier/smtp-settings';
import { missing, startRedis, Service, tempDir } from '../support/services';
import { HttpReceiver, SmtpReceiver } from './receivers';
import { alert } from './fixtures';

export function sharedNotifiers() {
  const skip = missing('redis-server');
  let redis: Service;
  const hooks = new HttpReceiver();
  const smtp = new SmtpReceiver();
  const clients: Redis[] = [];
  const notifiers: Notifier[] = [];
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  before(async () => {
    if (skip) return;
    redis = await startRedis();
    await hooks.start();
    await smtp.start();
  });
  after(async () => {
    for (const n of notifiers) await n.close(500);
    for (const c of clients) c.disconnect();
    await redis?.stop();
    await hooks.stop();
    await smtp.stop();
  });

  let seq = 0;
  /** One instance: its own outbox, the shared Redis, the same node id as its peers. */
  function instance(nodeId: string, notifier: Record<string, unknown>) {
    const client = new Redis(redis.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 200 });
    client.on('error', () => undefined);
    clients.push(client);
    const results: NotifyResult[] = [];
    const data = tempDir(`shared-notifier-${seq++}`);
    const modes: string[] = [];
    const n = new Notifier({
      cfg: parseConfig({
        mode: 'alert',
        webhook: true,
        url: `${hooks.url}/${nodeId}`,
        email: false,
        to: 'ops@test.local',
        retryInitialS: 0.2,
        retryMaxS: 1,
        configVersion: 2,
        ...notifier,
      }),
      dataFolder: data,
      outboxDir: `${data}/outbox`,
      mailFolder: `${data}/mail`,
      smtp: smtpTarget({ url: '', host: '127.0.0.1', port: smtp.port, security: 'none', from: `${nodeId}@test.local`, verifyTls: false, configVersion: 1 }),
      webhookSecret: '',
      onResult: (r) => results.push(r),
      claim: sharedClaim(client, 'test:', nodeId, `token-${seq}`, () => undefined),
      rateGate: (w) => new SharedRateLimit(client, 'test:', nodeId, w, (mode) => modes.push(mode), { timeoutMs: 300 }),
      groupStore: (local) => new SharedGroups(client, 'test:', nodeId, local),
    });
    notifiers.push(n);
    return { n, results, modes, client };
  }
  const fired = (i: number, ruleId = 'battery-low') =>
    alert({ id: `${ruleId}:dev-${i}:x`, ruleId, deviceId: `dev-${i}`, title: `Battery low on dev-${i}`, text: `dev-${i} battery 9 < 20` });
  const to = (node: string) => hooks.requests.filter((r) => r.url === `/${node}`);
  /** Mails sent by the instances of `node` (their sender is `<node>@test.local`). */
  const mails = (node: string) => smtp.mails.filter((m) => m.from === `${node}@test.local`);
  return { skip, hooks, sleep, instance, fired, to, mails, redis: () => redis };
}
