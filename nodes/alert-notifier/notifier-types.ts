/**
 * The notifier's contract with its glue (notifier.ts): what it needs, what it
 * takes, what it reports, and where its folders are.
 */
import type { DeviceInfo } from '../common/device-lookup';
import path from 'path';
import type { NotifierConfig } from './config';
import type { DeliveryResult, Sender } from './delivery';
import type { Channel, OutboxItem } from './outbox';
import type { SmtpTarget } from './smtp-settings';
import type { DigestWindow } from './digest-window';
import type { AlertGrouper } from './grouping';
import type { RateGate } from './shared-limit';
import type { GroupStore } from './shared-groups';

/** What happened to one channel of one message (besides the dispatcher's sent/failed). */
export interface IntakeResult {
  /** `grouped`: waiting in its group (alert mode); it goes out with the group's notification. */
  status: 'queued' | 'held' | 'skipped' | 'duplicate' | 'grouped';
  channel: Channel;
  key: string;
  ref: OutboxItem['ref'];
  reason?: string;
  at: number;
}

export type NotifyResult = DeliveryResult | IntakeResult;

export interface NotifierDeps {
  cfg: NotifierConfig;
  /** The data folder: attachments must be inside it. */
  dataFolder: string;
  /** This node's outbox folder. */
  outboxDir: string;
  /** Where .eml files go without an SMTP server. */
  mailFolder: string;
  smtp: SmtpTarget;
  webhookSecret: string;
  onResult(r: NotifyResult): void;
  onRetry?(item: OutboxItem, error: string, delayMs: number): void;
  onChange?(): void;
  onWarn?(text: string): void;
  now?: () => number;
  random?: () => number;
  /** Senders to use instead of the real ones (tests). */
  senders?: Partial<Record<Channel, Sender>>;
  /** Scale-out (shared-journal.ts): resolves false when another instance already sends `<channel>:<key>`. */
  claim?(slot: string): Promise<boolean>;
  /** Scale-out (shared-limit.ts): the rate limit counted in Redis, holding in this notifier's window. */
  rateGate?(window: DigestWindow): RateGate;
  /** Scale-out (shared-groups.ts): groups formed in Redis, this notifier's grouper as the fallback. */
  groupStore?(local: AlertGrouper): GroupStore;
  /** The device registry's entry of a device (name, location), read when a notification is rendered. */
  device?(id: string): DeviceInfo | undefined;
}

export interface MessageLike {
  payload?: unknown;
  topic?: unknown;
  event?: unknown;
  repeat?: unknown;
  /** Who acknowledged or resolved, and why (threshold-alert sets them). */
  by?: unknown;
  reason?: unknown;
  idempotencyKey?: unknown;
  attachments?: unknown;
  recording?: unknown;
}

/** Folder helpers shared by the glue and the tests. */
export const folders = {
  outbox: (dataFolder: string, nodeId: string): string => path.join(dataFolder, 'outbox', nodeId.replace(/[^\w.-]/g, '_')),
  mail: (dataFolder: string): string => path.join(dataFolder, 'outbox-mail'),
};
