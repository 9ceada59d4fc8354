/**
 * Alert groups into notifications: a transition joins its group (grouping.ts,
 * or the group shared in Redis: shared-groups.ts); when a group's wait or
 * interval ends (one timer for the next due group) and on close, a group of
 * one goes out as the alert alone and a larger one as a single list. Sending
 * takes the notifier's own path (`send`: duplicates, the shared claim, the rate
 * limit, the outbox). Used by notifier.ts; no node-red import.
 */
import type { Alert, Severity } from '../common/types';
import type { DeviceInfo } from '../common/device-lookup';
import type { NotificationContent } from './content';
import { DueTimer } from './due-timer';
import type { GroupBatch } from './grouping';
import { groupEmail, groupSeverity, groupWebhook } from './group-render';
import type { IntakeResult, MessageLike } from './notifier-types';
import type { Channel, OutboxItem } from './outbox';
import type { GroupStore } from './shared-groups';
import type { HeldSummary } from './digest-window';
import { hashKey } from './signing';
import { alertContext, deviceContext } from './templates';

/** The notifier's path to every channel (notifier.ts toChannels). */
export type SendToChannels = (
  key: string,
  kind: OutboxItem['kind'],
  ref: OutboxItem['ref'],
  severity: Severity,
  limit: { ruleId: string; summary: HeldSummary },
  at: number,
  fill: (item: OutboxItem, channel: Channel) => void,
) => Promise<IntakeResult[]>;

export interface GroupSenderDeps {
  store: GroupStore;
  content: Pick<NotificationContent, 'email' | 'webhook' | 'recipients'>;
  now(): number;
  channels(): Channel[];
  /** True when the outbox already holds (or delivered) this channel's item with this key. */
  has(channel: Channel, key: string): boolean;
  send: SendToChannels;
  /** The device's registry entry; never throws. */
  device(id: string): DeviceInfo | undefined;
  /** Results other than queued (skipped, duplicate, held) of what a group sent. */
  onResult(r: IntakeResult): void;
  /** A group that could not be sent. */
  lost(err: unknown): void;
}

export class GroupSender {
  private readonly timer: DueTimer;

  constructor(private readonly deps: GroupSenderDeps) {
    this.timer = new DueTimer(
      () => deps.store.nextDue(),
      () =>
        deps.store
          .due(deps.now())
          .then((b) => this.send(b))
          .catch((err) => deps.lost(err)),
      deps.now,
    );
  }

  /** Alerts waiting in groups. */
  get waiting(): number {
    return this.deps.store.waiting;
  }

  /** Puts an alert transition into its group: grouped per channel, or a duplicate of one already grouped, queued or delivered. */
  async add(alert: Alert, event: string, key: string, ref: OutboxItem['ref'], msg: MessageLike, at: number): Promise<IntakeResult[]> {
    const channels = this.deps.channels();
    const done = channels.filter((ch) => this.deps.has(ch, key));
    const member = { key, alert, at, by: typeof msg.by === 'string' ? msg.by : undefined, reason: typeof msg.reason === 'string' ? msg.reason : undefined };
    const added = done.length < channels.length && (await this.deps.store.add(alert.ruleId, event, member, at));
    if (added) this.timer.schedule();
    return channels.map((channel) =>
      added && !done.includes(channel)
        ? { channel, key, ref, at, status: 'grouped' as const }
        : { channel, key, ref, at, status: 'duplicate' as const, reason: 'this transition is already grouped, queued or was delivered' },
    );
  }

  /** Stops the timer and sends every group still waiting (nothing held is lost). */
  async close(): Promise<void> {
    this.timer.stop();
    await this.deps.store
      .flushAll(this.deps.now())
      .then((b) => this.send(b))
      .catch((err) => this.deps.lost(err));
  }

  /** A group of one is sent as the alert alone; a larger one as a single list. */
  private async send(batches: GroupBatch[]): Promise<void> {
    const { content, now, device } = this.deps;
    for (const b of batches) {
      let results: IntakeResult[];
      if (b.count === 1 && b.members.length === 1) {
        const m = b.members[0];
        const a = m.alert;
        const ref = { alertId: a.id, ruleId: a.ruleId, deviceId: a.deviceId, event: b.event, severity: a.severity };
        const ctx = alertContext(a, b.event, { ...deviceContext(a.deviceId, device(a.deviceId)), by: m.by, reason: m.reason });
        const limit = { ruleId: a.ruleId, summary: { alertId: a.id, deviceId: a.deviceId, event: b.event, severity: a.severity, title: a.title, at: m.at } };
        results = await this.deps.send(m.key, 'alert', ref, a.severity, limit, now(), (item, channel) => {
          if (channel === 'email') item.email = content.email(ctx, a.severity);
          else item.webhook = content.webhook(ctx);
        });
      } else {
        const severity = groupSeverity(b);
        const at = now();
        const ref = { ruleId: b.ruleId, event: b.event, severity, count: b.count };
        const summary = { event: `${b.event} (group of ${b.count})`, severity, title: `${b.count} alerts ${b.event} for rule ${b.ruleId}`, at };
        results = await this.deps.send(
          hashKey('group', b.ruleId, b.event, b.openedAt, b.seq),
          'group',
          ref,
          severity,
          { ruleId: b.ruleId, summary },
          at,
          (item, channel) => {
            if (channel === 'email') item.email = groupEmail(b, content.recipients(severity), device);
            else item.webhook = groupWebhook(b, device);
          },
        );
      }
      for (const r of results) if (r.status !== 'queued') this.deps.onResult(r);
    }
  }
}
