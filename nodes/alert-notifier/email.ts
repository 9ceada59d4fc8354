/**
 * Email channel: message building (recipients, templates, attachments checked
 * against the data folder) and sending through nodemailer, over SMTP or into
 * a folder of .eml files when no server is configured.
 */
import fs from 'fs';
import path from 'path';
import nodemailer from 'nodemailer';
import { DeliveryError, Sender } from './delivery';
import type { OutboxItem, StoredAttachment } from './outbox';
import type { SmtpTarget } from './smtp-settings';
import { hashKey } from './signing';

export const MAX_ATTACHMENTS = 10;
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

/** Comma/semicolon separated list -> trimmed addresses. */
export function splitAddresses(list: string): string[] {
  return list
    .split(/[,;\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function insideFolder(file: string, folder: string): string {
  const root = fs.realpathSync(folder);
  let real: string;
  try {
    real = fs.realpathSync(path.resolve(root, file));
  } catch {
    throw new Error(`attachment ${path.basename(file)} does not exist`);
  }
  if (real !== root && !real.startsWith(root + path.sep)) throw new Error(`attachment ${file} is outside the data folder`);
  const st = fs.statSync(real);
  if (!st.isFile()) throw new Error(`attachment ${file} is not a file`);
  if (st.size > MAX_ATTACHMENT_BYTES) throw new Error(`attachment ${file} is larger than ${MAX_ATTACHMENT_BYTES} bytes`);
  return real;
}

/**
 * Attachments from `msg.attachments` (nodemailer-like: filename with path,
 * or content as string/Buffer) and a recording thumbnail. Paths must resolve
 * inside `dataFolder` (symlinks followed); URLs are refused. Throws on misuse.
 */
export function collectAttachments(raw: unknown, thumbnail: unknown, dataFolder: string): StoredAttachment[] {
  const out: StoredAttachment[] = [];
  const list = raw === undefined || raw === null ? [] : Array.isArray(raw) ? raw : [raw];
  for (const a of list) {
    if (!a || typeof a !== 'object') throw new Error('msg.attachments must hold objects with filename and path or content');
    const att = a as Record<string, unknown>;
    if (att.href !== undefined) throw new Error('attachments by URL (href) are not allowed');
    const contentType = typeof att.contentType === 'string' ? att.contentType : undefined;
    if (typeof att.path === 'string') {
      const real = insideFolder(att.path, dataFolder);
      out.push({ filename: typeof att.filename === 'string' ? att.filename : path.basename(real), path: real, contentType });
    } else if (typeof att.content === 'string' || Buffer.isBuffer(att.content)) {
      const buf = Buffer.isBuffer(att.content) ? att.content : Buffer.from(att.content, 'utf8');
      if (buf.length > MAX_ATTACHMENT_BYTES) throw new Error(`attachment ${String(att.filename)} is larger than ${MAX_ATTACHMENT_BYTES} bytes`);
      out.push({ filename: typeof att.filename === 'string' ? att.filename : 'attachment.bin', contentBase64: buf.toString('base64'), contentType });
    } else {
      throw new Error('each attachment needs a path (inside the data folder) or a content');
    }
  }
  if (typeof thumbnail === 'string' && thumbnail) {
    const real = insideFolder(thumbnail, dataFolder);
    out.push({ filename: path.basename(real), path: real, contentType: 'image/jpeg' });
  }
  if (out.length > MAX_ATTACHMENTS) throw new Error(`at most ${MAX_ATTACHMENTS} attachments, got ${out.length}`);
  return out;
}

/** SMTP reply codes 5xx (except auth) are permanent; 4xx, network and auth errors are retried. */
export function classifySmtpError(err: unknown): DeliveryError {
  const e = err as { message?: string; code?: string; responseCode?: number };
  const msg = e?.message ?? String(err);
  const permanent =
    e?.code === 'EENVELOPE' || (typeof e?.responseCode === 'number' && e.responseCode >= 500 && e.responseCode !== 535 && e.responseCode !== 530);
  return new DeliveryError(msg, permanent);
}

/** Stable Message-ID for a delivery, so a duplicate can be recognised by any mail system. */
export function messageId(key: string): string {
  // Caller-chosen keys (event mode) may hold characters a Message-ID cannot: hash those.
  const id = /^[0-9a-f]{40,}$/.test(key) ? key : hashKey(key);
  return `<${id.slice(0, 40)}@iot-notifier.local>`;
}

/** Sends email items through one SMTP target or writes them as .eml files into `mailFolder`. */
export class EmailSender implements Sender {
  private readonly transport: nodemailer.Transporter;

  constructor(
    private readonly target: SmtpTarget,
    private readonly mailFolder: string,
  ) {
    this.transport =
      target.kind === 'smtp'
        ? nodemailer.createTransport(target.options as nodemailer.TransportOptions)
        : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  }

  async send(item: OutboxItem): Promise<string | undefined> {
    const req = item.email;
    if (!req) throw new DeliveryError('outbox item has no email part', true);
    if (!req.to.length) throw new DeliveryError('no recipients', true);
    const missing: string[] = [];
    const attachments = (req.attachments ?? []).flatMap((a) => {
      if (a.path && !fs.existsSync(a.path)) {
        missing.push(a.filename);
        return [];
      }
      return [{ filename: a.filename, contentType: a.contentType, ...(a.path ? { path: a.path } : { content: Buffer.from(a.contentBase64 ?? '', 'base64') }) }];
    });
    const note = missing.length ? `\n\n(no longer available: ${missing.join(', ')})` : '';
    const mail = {
      from: this.target.from,
      to: req.to,
      subject: req.subject,
      text: req.text + note,
      html: req.html,
      attachments,
      messageId: messageId(item.key),
      headers: { 'X-Idempotency-Key': item.key },
    };
    if (this.target.kind === 'folder') return this.toFolder(item, mail);
    try {
      const info = await this.transport.sendMail(mail);
      return typeof info.response === 'string' ? info.response : undefined;
    } catch (err) {
      throw classifySmtpError(err);
    }
  }

  close(): void {
    this.transport.close();
  }

  private async toFolder(item: OutboxItem, mail: nodemailer.SendMailOptions): Promise<string> {
    await fs.promises.mkdir(this.mailFolder, { recursive: true });
    const file = path.join(this.mailFolder, `${item.id}.eml`);
    if (fs.existsSync(file)) return file;
    const info = await this.transport.sendMail(mail);
    const tmp = `${file}.tmp-${process.pid}`;
    await fs.promises.writeFile(tmp, info.message as Buffer);
    await fs.promises.rename(tmp, file);
    return file;
  }
}
