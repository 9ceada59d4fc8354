/**
 * The audit record: every ack, resolve, arm, rule change, command and device
 * registry change, with who (user, role), when, from where (remote address,
 * or `mqtt:<clientId>`) and what (action, target, detail). One JSON line per entry in
 * <DATA_DIR>/audit.jsonl; past `maxBytes` the file becomes audit.jsonl.1 (the
 * previous .1 is dropped), so the record is bounded at about twice that size.
 */
import fs from 'fs';
import { redact } from '../nodes/common/redact';

export type AuditAction = 'ack' | 'resolve' | 'arm' | 'rules' | 'command' | 'record' | 'registry';

export interface AuditEntry {
  /** ISO time. */
  ts: string;
  user: string;
  /** admin, operator, viewer; for MQTT the broker role (operator, device...); `none` when no login is configured. */
  role: string;
  /** Remote address, `mqtt:<clientId>`, or `mqtt` when the publisher is not known (an external broker). */
  from: string;
  action: AuditAction;
  /** Alert id, threshold-alert node id, device or camera id. */
  target: string;
  detail?: string;
  /** `accepted` went on to the node or device; `refused` was stopped for the user's role. */
  outcome: 'accepted' | 'refused';
}

export interface AuditOptions {
  /** Size of the current file before it is rotated (bytes). */
  maxBytes: number;
}

export const AUDIT_DEFAULTS: AuditOptions = { maxBytes: 1024 * 1024 };

const clip = (v: unknown, n: number): string => redact(String(v ?? '')).slice(0, n);

export class AuditLog {
  private readonly opts: AuditOptions;
  private size: number;

  constructor(
    readonly file: string,
    opts: Partial<AuditOptions> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.opts = { ...AUDIT_DEFAULTS, ...opts };
    try {
      this.size = fs.statSync(file).size;
    } catch {
      this.size = 0;
    }
  }

  /** Appends one entry (synchronously: control actions are rare, and a crash must not lose one). Never throws. */
  record(e: Omit<AuditEntry, 'ts'>): AuditEntry {
    const entry: AuditEntry = {
      ts: new Date(this.now()).toISOString(),
      user: clip(e.user, 100) || 'unknown',
      role: clip(e.role, 20),
      from: clip(e.from, 200),
      action: e.action,
      target: clip(e.target, 200),
      outcome: e.outcome,
    };
    if (e.detail) entry.detail = clip(e.detail, 500);
    const line = `${JSON.stringify(entry)}\n`;
    try {
      if (this.size > 0 && this.size + line.length > this.opts.maxBytes) {
        fs.renameSync(this.file, `${this.file}.1`);
        this.size = 0;
      }
      fs.appendFileSync(this.file, line, { mode: 0o600 });
      this.size += Buffer.byteLength(line);
    } catch (err) {
      console.error(redact(`[audit] cannot write ${this.file}: ${(err as Error).message}`));
    }
    return entry;
  }

  /** The newest entries first, at most `limit`, optionally of one action or user. */
  list(limit = 100, filter: { action?: string; user?: string } = {}): AuditEntry[] {
    const out: AuditEntry[] = [];
    for (const f of [this.file, `${this.file}.1`]) {
      let text = '';
      try {
        text = fs.readFileSync(f, 'utf8');
      } catch {
        continue;
      }
      const lines = text.split('\n');
      for (let i = lines.length - 1; i >= 0 && out.length < limit; i--) {
        if (!lines[i]) continue;
        try {
          const e = JSON.parse(lines[i]) as AuditEntry;
          if ((!filter.action || e.action === filter.action) && (!filter.user || e.user === filter.user)) out.push(e);
        } catch {
          /* a line cut by a crash */
        }
      }
      if (out.length >= limit) break;
    }
    return out;
  }
}
