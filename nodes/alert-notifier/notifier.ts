/**
 * The notifier without Node-RED: turns messages into outbox items (rendered
 * once, with their idempotency key), applies the rate limit with digests and
 * runs the dispatcher. The node glue only wires it to input, output and close.
 */
import type { Alert, Severity } from '../common/types';
import { ValidationError, RemoteError } from '../common/errors';
import { alertEvent, repeatMark, validateAlert } from './alert-input';
import { NotificationContent } from './content';
import { Dispatcher, Sender } from './delivery';
import { EmailSender } from './email';
import type { IntakeResult, MessageLike, NotifierDeps } from './notifier-types';
import { Channel, newItem, Outbox, OutboxItem, StoredAttachment } from './outbox';
import { HeldSummary, DigestWindow } from './digest-window';
import { DigestSender } from './digest-sender';
import { redact } from './redact';
import { hashKey, transitionKey } from './signing';
import { AlertGrouper } from './grouping';
import { GroupSender } from './group-sender';
import { localGroups } from './shared-groups';
import { localGate, RateGate } from './shared-limit';
import { alertContext, deviceContext, eventContext, TemplateContext } from './templates';
import type { DeviceInfo } from '../common/device-lookup';
import { WebhookSender } from './webhook';

export { FOLDER_RECIPIENT } from './content';
export { folders } from './notifier-types';
export type { IntakeResult, MessageLike, NotifierDeps, NotifyResult } from './notifier-types';

export class Notifier {
  readonly dispatcher: Dispatcher;
  readonly limiter: DigestWindow;
  private readonly outbox: Outbox;
  private readonly email?: EmailSender;
  private readonly digests: DigestSender;
  /** Alert mode with a group wait: alerts that start together share one notification (in Redis with REDIS_URL). */
  private readonly groups?: GroupSender;
  /** The rate limit as asked: `limiter` alone, or the count shared in Redis (shared-limit.ts). */
  readonly rate: RateGate;
  private readonly reserved = new Set<string>();
  private readonly now: () => number;
  private readonly secrets: string[];
  private readonly content: NotificationContent;

  constructor(private readonly deps: NotifierDeps) {
    const { cfg } = deps;
    this.now = deps.now ?? Date.now;
    this.content = new NotificationContent(cfg, deps.smtp, deps.dataFolder);
    this.secrets = [...deps.smtp.secrets, deps.webhookSecret].filter(Boolean);
    this.outbox = new Outbox(deps.outboxDir, this.now);
    this.limiter = new DigestWindow(cfg.mode === 'alert' ? cfg.rateMax : 0, cfg.rateWindowMs);
    this.rate = deps.rateGate?.(this.limiter) ?? localGate(this.limiter);
    this.digests = new DigestSender({
      gate: this.rate,
      content: this.content,
      now: this.now,
      has: (channel, key) => this.outbox.has(channel, key),
      enqueue: (item) => this.enqueue(item),
      lost: (err) => this.deps.onWarn?.(`digest lost: ${this.redact(err)}`),
    });
    if (cfg.mode === 'alert' && cfg.groupWaitMs > 0) {
      const local = new AlertGrouper(cfg.groupWaitMs, cfg.groupIntervalMs, cfg.groupListMax);
      this.groups = new GroupSender({
        store: deps.groupStore?.(local) ?? localGroups(local),
        content: this.content,
        now: this.now,
        channels: () => this.channels(),
        has: (channel, key) => this.outbox.has(channel, key),
        send: (...args) => this.toChannels(...args),
        device: (id) => this.lookup(id),
        onResult: (r) => deps.onResult(r),
        lost: (err) => this.deps.onWarn?.(`group notification lost: ${this.redact(err)}`),
      });
    }
    const senders: Partial<Record<Channel, Sender>> = { ...deps.senders };
    if (cfg.email && !senders.email) senders.email = this.email = new EmailSender(deps.smtp, deps.mailFolder);
    if (cfg.webhook && !senders.webhook) {
      senders.webhook = new WebhookSender({ url: cfg.url, method: cfg.method, headers: cfg.headers, secret: deps.webhookSecret, timeoutMs: cfg.timeoutMs });
    }
    this.dispatcher = new Dispatcher({
      outbox: this.outbox,
      senders,
      backoff: { initialMs: cfg.retryInitialMs, maxMs: cfg.retryMaxMs, factor: 2, jitter: 0.5 },
      giveUpMs: cfg.giveUpMs,
      onResult: deps.onResult,
      onRetry: deps.onRetry,
      onChange: deps.onChange,
      onStorageError: (err) => deps.onWarn?.(`outbox: ${this.redact(err)}`),
      describe: (err) => this.redact(err),
      now: this.now,
      random: deps.random,
    });
  }

  /** Text with every secret of this notifier masked. */
  redact(v: unknown): string {
    return redact(v, this.secrets);
  }

  /** Loads the outbox; returns how many deliveries were pending. */
  async start(): Promise<number> {
    const n = await this.dispatcher.start();
    // A shared rate limit looks for digests of other instances' windows that nobody took.
    this.digests.schedule();
    if (this.outbox.quarantined.length) this.deps.onWarn?.(`outbox: unreadable files set aside as .bad: ${this.outbox.quarantined.join(', ')}`);
    return n;
  }

  get depth(): number {
    return this.dispatcher.depth;
  }

  /** Alerts waiting in groups. */
  get grouped(): number {
    return this.groups?.waiting ?? 0;
  }

  /** Takes one message; resolves once every delivery it causes is safely in the outbox. */
  async accept(msg: MessageLike): Promise<IntakeResult[]> {
    const at = this.now();
    let ctx: TemplateContext;
    let key: string;
    let ref: OutboxItem['ref'];
    let severity: Severity = 'warning';
    let alert: Alert | undefined;
    const cfg = this.deps.cfg;
    if (cfg.mode === 'alert') {
      alert = validateAlert(msg.payload);
      const event = alertEvent(msg.event, alert);
      ref = { alertId: alert.id, ruleId: alert.ruleId, deviceId: alert.deviceId, event, severity: alert.severity };
      if (!event) return [];
      const off =
        (event === 'repeated' && !cfg.notifyRepeated) || (event === 'acknowledged' && !cfg.notifyAcknowledged) || (event === 'resolved' && !cfg.notifyResolved);
      if (off) return [];
      severity = alert.severity;
      // A repeat keeps state and since: its own sequence (or time) keeps its key distinct.
      key = transitionKey(alert, event === 'repeated' ? (repeatMark(msg.repeat, msg.payload) ?? at) : undefined);
      // A recording or attachments belong to this one alert: it is not folded into a group.
      if (this.groups && msg.attachments === undefined && msg.recording === undefined) return this.groups.add(alert, event, key, ref, msg, at);
      ctx = alertContext(alert, event, { ...this.deviceOf(alert.deviceId), recording: msg.recording, by: msg.by, reason: msg.reason });
    } else {
      if (msg.payload === null || typeof msg.payload !== 'object') throw new ValidationError('msg.payload must be a JSON object in event mode', 'payload');
      const body = JSON.stringify(msg.payload);
      if (body === undefined) throw new ValidationError('msg.payload cannot be sent as JSON', 'payload');
      key = typeof msg.idempotencyKey === 'string' && msg.idempotencyKey ? msg.idempotencyKey : hashKey('event', body);
      const topic = typeof msg.topic === 'string' ? msg.topic : undefined;
      ref = {
        topic,
        event: typeof (msg.payload as Record<string, unknown>).type === 'string' ? String((msg.payload as Record<string, unknown>).type) : undefined,
      };
      ctx = eventContext(msg.payload, topic);
    }
    const limit = alert
      ? { ruleId: alert.ruleId, summary: { alertId: alert.id, deviceId: alert.deviceId, event: ref.event, severity, title: alert.title, at } }
      : undefined;
    return this.toChannels(key, cfg.mode === 'alert' ? 'alert' : 'event', ref, severity, limit, at, (item, channel) => {
      if (channel === 'email') item.email = { ...this.content.email(ctx, severity), attachments: this.attachments(msg) };
      else item.webhook = this.content.webhook(ctx);
    });
  }

  private channels(): Channel[] {
    const out: Channel[] = [];
    if (this.deps.cfg.email) out.push('email');
    if (this.deps.cfg.webhook) out.push('webhook');
    return out;
  }

  /** One notification to every configured channel: skipped, duplicate, held by the rate limit, or queued. */
  private async toChannels(
    key: string,
    kind: OutboxItem['kind'],
    ref: OutboxItem['ref'],
    severity: Severity,
    limit: { ruleId: string; summary: HeldSummary } | undefined,
    at: number,
    fill: (item: OutboxItem, channel: Channel) => void,
  ): Promise<IntakeResult[]> {
    const cfg = this.deps.cfg;
    const out: IntakeResult[] = [];
    for (const channel of this.channels()) {
      const base = { channel, key, ref, at };
      const unusable = this.content.unusable(channel, severity);
      const slot = `${channel}:${key}`;
      if (unusable) {
        out.push({ ...base, status: 'skipped', reason: unusable });
        continue;
      }
      if (this.outbox.has(channel, key) || this.reserved.has(slot)) {
        out.push({ ...base, status: 'duplicate', reason: 'this transition is already queued or was delivered' });
        continue;
      }
      // Reserved from here until the file is written (the shared claim and limit are awaited):
      // a copy arriving meanwhile is a duplicate, not a second delivery.
      this.reserved.add(slot);
      try {
        if (this.deps.claim && !(await this.deps.claim(slot))) {
          out.push({ ...base, status: 'duplicate', reason: 'another instance sends this notification (shared journal)' });
        } else if (limit && !(await this.rate.take(`${limit.ruleId}|${channel}`, limit.summary, at))) {
          out.push({
            ...base,
            status: 'held',
            reason: `rate limit: more than ${cfg.rateMax} in ${cfg.rateWindowMs / 1000} s for rule ${limit.ruleId}; held for the digest`,
          });
          this.digests.schedule();
        } else {
          const item = newItem(channel, key, kind, ref, at);
          fill(item, channel);
          await this.enqueue(item);
          out.push({ ...base, status: 'queued' });
        }
      } finally {
        this.reserved.delete(slot);
      }
    }
    return out;
  }

  /** A registry lookup that fails costs the names, never the notification. */
  private lookup(id: string): DeviceInfo | undefined {
    try {
      return this.deps.device?.(id);
    } catch {
      return undefined;
    }
  }

  private deviceOf(id: string): TemplateContext {
    return deviceContext(id, this.lookup(id));
  }

  retryNow(): void {
    this.dispatcher.retryNow();
  }

  /** Puts held notifications into the outbox as digests, then stops (in-flight attempts get `graceMs`). */
  async close(graceMs = 5000): Promise<void> {
    await this.groups?.close();
    await this.digests.close();
    await this.dispatcher.stop(graceMs);
    this.email?.close();
  }

  private async enqueue(item: OutboxItem): Promise<void> {
    if (this.outbox.size >= this.deps.cfg.outboxMax) {
      throw new RemoteError(`outbox full (${this.outbox.size} pending deliveries): ${item.channel} notification refused`);
    }
    await this.dispatcher.enqueue(item);
  }

  /** A bad attachment must not cost the notification itself: it is left out with a warning. */
  private attachments(msg: MessageLike): StoredAttachment[] | undefined {
    return this.content.attachments(msg, (err) => this.deps.onWarn?.(`attachments left out: ${this.redact(err)}`));
  }
}
