/** alert-notifier: Node-RED glue around Notifier (email + webhooks through a durable outbox). */
import type { DoneFn, NodeAPI, NodeDef, NodeInstance, NodeMessage, SendFn } from '../common/red';
import { dataDir } from '../common/red';
import { status } from '../common/status';
import { metrics } from '../common/metrics';
import { errorMessage } from '../common/errors';
import { nodeKit } from '../common/node-kit';
import { parseConfig, DEFAULTS } from './config';
import { folders, Notifier, NotifierDeps, NotifyResult } from './notifier';
import { DEFAULT_FROM, SmtpConfigNode, SmtpTarget } from './smtp-settings';
import { lookupEnvRef } from '../common/env';
import { redact } from './redact';
import { registerHealthRoutes } from '../common/health-plugin';
import { translator } from '../common/i18n';
import { acquireBackend, releaseBackend } from '../common/redis-state';
import { installId } from '../common/install-id';
import { sharedClaim } from './shared-journal';
import { SharedRateLimit } from './shared-limit';
import { SharedGroups } from './shared-groups';
import { deviceInfo } from '../common/device-lookup';
import { editorDefaultsSetting } from '../common/editor-defaults';

interface Creds {
  secret: string;
}

export = function (RED: NodeAPI) {
  registerHealthRoutes(RED);
  const tr = translator(RED, __dirname, 'alert-notifier');
  RED.nodes.registerType(
    'alert-notifier',
    function (this: NodeInstance<Creds>, def: NodeDef) {
      RED.nodes.createNode(this, def);
      const node = this;
      const kit = nodeKit(node, 'alert-notifier');
      kit.gauge(metrics.outboxDepth, () => notifier?.depth ?? 0);
      const secret = node.credentials?.secret || process.env.WEBHOOK_SECRET || '';
      let notifier: Notifier | undefined = undefined; // read by refresh(), which may run while setup() builds it
      let ready: Promise<void> = Promise.resolve();
      let outboxError: Error | undefined;
      const counts = { sent: 0, failed: 0 };
      let shared = false;
      let lastFailure: string | undefined;

      const refresh = (): void => {
        if (!notifier) return;
        const depth = notifier.depth;
        const grouped = notifier.grouped;
        // Scale-out: while Redis does not answer, each instance limits alone (N instances, N times the rate).
        const localLimit = shared && notifier.rate.mode === 'local';
        const limitNote = localLimit ? ' · rate limit per instance: Redis unreachable' : '';
        const failing = (['email', 'webhook'] as const).map((c) => notifier!.dispatcher.channel(c)).find((s) => s.failures > 0);
        const detail =
          (failing
            ? `outbox ${depth} · retrying: ${failing.lastError ?? ''}`
            : lastFailure
              ? `outbox ${depth} · failed: ${lastFailure}`
              : `sent ${counts.sent} · outbox ${depth}${grouped ? ` · ${grouped} grouped` : ''}`) + limitNote;
        const shown = failing
          ? tr('alert-notifier.status.retrying', { outbox: depth, error: failing.lastError ?? '' })
          : lastFailure
            ? tr('alert-notifier.status.failed', { outbox: depth, error: lastFailure })
            : tr('alert-notifier.status.sent', { sent: counts.sent, outbox: depth }) + (grouped ? tr('alert-notifier.status.grouped', { grouped }) : '');
        node.status(failing || localLimit ? status.degraded(shown + limitNote) : lastFailure ? status.failed(shown) : status.ok(shown));
        const figures = { outbox: depth, sent: counts.sent, failed: counts.failed, grouped, ...(shared ? { rateLimitShared: localLimit ? 0 : 1 } : {}) };
        kit.health(!failing && !lastFailure, detail, figures);
      };

      const emit = (r: NotifyResult): void => {
        if (r.status === 'sent') {
          counts.sent++;
          lastFailure = undefined;
          metrics.notificationsSent.inc({ channel: r.channel });
        } else if (r.status === 'failed') {
          counts.failed++;
          lastFailure = r.reason;
          metrics.notificationsFailed.inc({ channel: r.channel });
          node.warn(`${r.channel} notification failed for good: ${r.reason}`);
        }
        node.send({ topic: `notification/${r.status}`, payload: r });
        refresh();
      };

      /** Settings, email transport, shared journal and outbox folder; throws what is wrong (redacted). */
      const setup = (): Notifier => {
        try {
          const cfg = parseConfig(def);
          let smtp: SmtpTarget = {
            kind: 'folder',
            from: lookupEnvRef('${ALERT_EMAIL_FROM}') || DEFAULT_FROM,
            describe: 'no SMTP config: writing .eml files',
            secrets: [],
          };
          if (cfg.email && cfg.smtp) {
            const cfgNode = RED.nodes.getNode(cfg.smtp) as SmtpConfigNode | null;
            if (!cfgNode) throw new Error(tr('alert-notifier.errors.smtpMissing', { id: cfg.smtp }));
            smtp = cfgNode.target();
          }
          const data = dataDir(RED);
          // Scale-out: with REDIS_URL, one instance sends a given notification.
          let claim: ((slot: string) => Promise<boolean>) | undefined;
          let sharedParts: Pick<NotifierDeps, 'rateGate' | 'groupStore'> = {};
          const backend = acquireBackend();
          if (backend) {
            shared = true;
            let warned = false;
            claim = sharedClaim(backend.redis, backend.prefix, node.id, `${installId(data) || process.pid}`, (err) => {
              if (!warned) node.warn(`shared notification journal unreachable (${redact(errorMessage(err))}): sending without it`);
              warned = true;
            });
            const b = backend;
            sharedParts = {
              rateGate: (window) =>
                new SharedRateLimit(b.redis, b.prefix, node.id, window, (mode, error) => {
                  if (mode === 'local') node.warn(`shared rate limit unreachable (${redact(error ?? '')}): limiting per instance until Redis answers`);
                  else node.log('shared rate limit back in Redis');
                  refresh();
                }),
              groupStore: (local) => new SharedGroups(b.redis, b.prefix, node.id, local),
            };
          }
          return new Notifier({
            claim,
            ...sharedParts,
            cfg,
            dataFolder: data,
            outboxDir: folders.outbox(data, node.id),
            mailFolder: folders.mail(data),
            smtp,
            webhookSecret: secret,
            onResult: emit,
            onRetry: (item, error, delay) => {
              metrics.notificationsFailed.inc({ channel: item.channel });
              node.debug(`${item.channel} attempt ${item.attempts} failed (${error}); next in ${Math.round(delay / 1000)} s`);
            },
            onChange: refresh,
            onWarn: (text) => node.warn(text),
            // The device registry: the app puts it in global context (functionGlobalContext.iotRegistry); a flow may set a plain object there.
            device: (id) => deviceInfo(node.context().global.get('iotRegistry'), id),
          });
        } catch (err) {
          throw new Error(redact(errorMessage(err), [secret]));
        }
      };

      // Whatever happens to the setup, the node closes: the shared backend is released and health cleared.
      node.on('close', (_removed: boolean, done: () => void) => {
        const n = notifier;
        const finish = (): void => {
          if (shared) void releaseBackend();
          kit.clearHealth();
          done();
        };
        if (!n) return finish();
        ready
          .then(() => n.close(5000))
          .catch((err) => node.warn(`close: ${n.redact(err)}`))
          .finally(finish);
      });

      // Settings or transports that fail to set up: red ring, logged once, every input rejected with that error.
      notifier = kit.parse(setup, { log: (m) => m });
      if (!notifier) return;
      const n = notifier;
      // An outbox folder that cannot be opened is known only once it is read: then every input is rejected with it.
      ready = n.start().then(
        (pending) => {
          if (pending) node.log(`${pending} pending notifications loaded from the outbox`);
          refresh();
        },
        (err) => {
          outboxError = new Error(tr('alert-notifier.errors.outbox', { error: n.redact(err) }));
          node.status(status.failed(outboxError.message));
        },
      );

      node.on('input', (msg: NodeMessage, send: SendFn, done: DoneFn) => {
        ready
          .then(async () => {
            if (outboxError) throw outboxError;
            if (msg.topic === 'notifier/retry') {
              n.retryNow();
              return;
            }
            const intake = await n.accept(msg);
            // Queued and grouped ones are reported when they are sent: a storm makes no storm of results.
            for (const r of intake) if (r.status !== 'queued' && r.status !== 'grouped') send({ topic: `notification/${r.status}`, payload: r });
            refresh();
          })
          .then(
            () => done(),
            (err: unknown) => done(new Error(n.redact(err))),
          );
      });
    },
    {
      settings: editorDefaultsSetting('alert-notifier', DEFAULTS),
      credentials: { secret: { type: 'password' } },
    },
  );
};
