/**
 * What a notification says and to whom: recipients per severity, why a
 * channel cannot be used, the rendered email and webhook body, and the
 * attachments a message asks for. Used by notifier.ts; no node-red import.
 */
import type { Severity } from '../common/types';
import type { NotifierConfig } from './config';
import { collectAttachments, splitAddresses } from './email';
import type { Channel, StoredAttachment } from './outbox';
import type { SmtpTarget } from './smtp-settings';
import { DEFAULT_TEMPLATES, render, renderJson, renderLine, TemplateContext } from './templates';

/** Recipient of .eml files written when neither SMTP nor ALERT_EMAIL_TO is set. */
export const FOLDER_RECIPIENT = 'alerts@localhost';

export class NotificationContent {
  constructor(
    private readonly cfg: NotifierConfig,
    private readonly smtp: Pick<SmtpTarget, 'kind'>,
    private readonly dataFolder: string,
  ) {}

  /** Why `channel` cannot carry a notification of this severity, or undefined when it can. */
  unusable(channel: Channel, severity: Severity): string | undefined {
    if (channel === 'email' && !this.recipients(severity).length) return `no email recipients for ${severity} (set ALERT_EMAIL_TO or the node's recipients)`;
    if (channel === 'webhook' && !this.cfg.url) return "no webhook URL (set WEBHOOK_URL or the node's URL)";
    return undefined;
  }

  recipients(severity: Severity): string[] {
    const list = splitAddresses(this.cfg.toBySeverity[severity] || this.cfg.to);
    // Into the .eml folder nothing is really addressed: keep the mail rather than skip it.
    return list.length || this.smtp.kind !== 'folder' ? list : [FOLDER_RECIPIENT];
  }

  email(ctx: TemplateContext, severity: Severity): { to: string[]; subject: string; text: string; html: string } {
    const cfg = this.cfg;
    const t = DEFAULT_TEMPLATES[cfg.mode];
    return {
      to: this.recipients(severity),
      subject: renderLine(cfg.subject || t.subject, ctx),
      text: render(cfg.textTemplate || t.text, ctx, 'text'),
      html: render(cfg.htmlTemplate || t.html, ctx, 'html'),
    };
  }

  webhook(ctx: TemplateContext): { body: string } {
    return { body: JSON.stringify(renderJson(this.cfg.body ?? DEFAULT_TEMPLATES[this.cfg.mode].body, ctx)) ?? 'null' };
  }

  /** The message's attachments (and a recording's thumbnail); a bad one is left out and reported, never costing the notification. */
  attachments(msg: { attachments?: unknown; recording?: unknown }, onBad: (err: unknown) => void): StoredAttachment[] | undefined {
    const rec = msg.recording && typeof msg.recording === 'object' ? (msg.recording as Record<string, unknown>).thumbnail : undefined;
    if (msg.attachments === undefined && rec === undefined) return undefined;
    try {
      return collectAttachments(msg.attachments, rec, this.dataFolder);
    } catch (err) {
      onBad(err);
      return undefined;
    }
  }
}
