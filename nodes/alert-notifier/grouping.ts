/**
 * Groups alert notifications that start together, as Prometheus Alertmanager
 * does: by rule and transition (fired, resolved...). The first alert of a
 * group opens it and waits `waitMs` for company; then one notification goes
 * out with the count and a list. Alerts that join while the group is open go
 * out together in a follow-up, at most every `intervalMs`. A group with
 * nothing new for an interval closes; the next alert opens a new one.
 * Memory per group is bounded: `listMax` members are kept, beyond that only
 * the count grows. No node-red import; the clock is passed in.
 */
import type { Alert } from '../common/types';

/** One alert transition waiting in a group. */
export interface GroupMember {
  /** Its idempotency key (the one a single notification would carry). */
  key: string;
  alert: Alert;
  by?: string;
  reason?: string;
  at: number;
}

/** What a group hands out when its wait or interval ends. */
export interface GroupBatch {
  ruleId: string;
  event: string;
  /** When the group opened (the first member arrived). */
  openedAt: number;
  /** 0 for the first notification of the group, then 1, 2... for follow-ups. */
  seq: number;
  /** Members in this notification, including those beyond `listMax`. */
  count: number;
  /** The first `listMax` of them. */
  members: GroupMember[];
}

interface Group {
  ruleId: string;
  event: string;
  openedAt: number;
  seq: number;
  flushAt: number;
  lastSentAt?: number;
  members: GroupMember[];
  extra: number;
  keys: Set<string>;
}

export class AlertGrouper {
  private readonly groups = new Map<string, Group>();

  constructor(
    readonly waitMs: number,
    readonly intervalMs: number,
    readonly listMax: number,
  ) {}

  /** Alerts waiting in all groups (for status). */
  get waiting(): number {
    let n = 0;
    for (const g of this.groups.values()) n += g.members.length + g.extra;
    return n;
  }

  /** Adds a transition; false when the same key already waits in its group. */
  add(ruleId: string, event: string, member: GroupMember, now: number): boolean {
    const id = `${ruleId}\u0000${event}`;
    let g = this.groups.get(id);
    if (g && !this.pending(g) && g.lastSentAt !== undefined && now >= g.lastSentAt + this.intervalMs) {
      this.groups.delete(id);
      g = undefined;
    }
    if (!g) {
      g = { ruleId, event, openedAt: now, seq: 0, flushAt: now + this.waitMs, members: [], extra: 0, keys: new Set() };
      this.groups.set(id, g);
    } else if (!this.pending(g) && g.lastSentAt !== undefined) {
      g.flushAt = g.lastSentAt + this.intervalMs;
    }
    if (g.keys.has(member.key)) return false;
    // Keys are remembered for de-duplication as far as the kept list goes (bounded).
    if (g.keys.size < this.listMax * 10) g.keys.add(member.key);
    if (g.members.length < this.listMax) g.members.push(member);
    else g.extra++;
    return true;
  }

  /** When the next group is due, or undefined when none waits. */
  nextDue(): number | undefined {
    let next: number | undefined;
    for (const g of this.groups.values()) if (this.pending(g) && (next === undefined || g.flushAt < next)) next = g.flushAt;
    return next;
  }

  /** Batches of every group whose wait or interval has ended; closes groups quiet for an interval. */
  due(now: number): GroupBatch[] {
    const out: GroupBatch[] = [];
    for (const [id, g] of this.groups) {
      if (this.pending(g)) {
        if (now >= g.flushAt) out.push(this.take(g, now));
      } else if (g.lastSentAt !== undefined && now >= g.lastSentAt + this.intervalMs) {
        this.groups.delete(id);
      }
    }
    return out;
  }

  /** Everything waiting, at once (closing): nothing held is lost. */
  flushAll(now: number): GroupBatch[] {
    const out = [...this.groups.values()].filter((g) => this.pending(g)).map((g) => this.take(g, now));
    this.groups.clear();
    return out;
  }

  private pending(g: Group): boolean {
    return g.members.length + g.extra > 0;
  }

  private take(g: Group, now: number): GroupBatch {
    const batch: GroupBatch = { ruleId: g.ruleId, event: g.event, openedAt: g.openedAt, seq: g.seq, count: g.members.length + g.extra, members: g.members };
    g.seq++;
    g.lastSentAt = now;
    g.flushAt = now + this.intervalMs;
    g.members = [];
    g.extra = 0;
    g.keys = new Set();
    return batch;
  }
}
