/**
 * Durable acknowledgement: when may the broker be told that a QoS 1 message is
 * safe?
 *
 * An input (sensor-input in MQTT mode) tracks every message it hands to the
 * flow under its `_msgid`. The runtime's message hooks (ack-hooks.ts) count
 * the deliveries of that message (and of its clones, which keep the `_msgid`)
 * that are still being handled: +1 when a copy is delivered to a node, -1 when
 * that node calls `done()`. A node that makes the message durable (the
 * influxdb-writer) takes a hold before its `done()` and releases it once the
 * data is written to the database or fsynced to its spool. The message is
 * settled, and the input acknowledges it, when no delivery is open and no hold
 * is left: rejects, duplicates and filtered messages settle as soon as the
 * flow is done with them; stored readings once they are durable.
 *
 * A node that never calls `done()` would keep a message open forever; after
 * `maxOpenMs` without a hold the message is settled anyway and counted
 * (`stale`). Holds are never timed out: a writer releases them when it has
 * written, spooled, or given up on (and counted) the data.
 *
 * Pure bookkeeping, no Node-RED import: unit-tested directly.
 */

/** Who is told when a message settles (one per input, not a closure per message). */
export interface Settler<T = unknown> {
  /** `held`: a writer took the message at some point (see track). */
  settle(token: T, held: boolean): void;
}

interface Entry {
  /** Deliveries of the message that are still being handled. */
  open: number;
  holds: number;
  /** A writer took it at some point. */
  held: boolean;
  since: number;
  owner: Settler;
  token: unknown;
}

export class AckLedger {
  private readonly entries = new Map<string, Entry>();
  /** Messages settled by the sweep because a node never called done(). */
  stale = 0;
  settled = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Messages not yet settled. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Starts tracking a message; `owner.settle(token, held)` runs once, when it
   * is safe to acknowledge, and tells whether a writer held it (while the
   * runtime shuts down, a message nobody held may have been dropped by
   * routing, not by the flow).
   */
  track<T>(msgid: string, owner: Settler<T>, token: T): void {
    this.entries.set(msgid, { open: 0, holds: 0, held: false, since: this.now(), owner: owner as Settler, token });
  }

  /** After the input's send: a message that went nowhere settles now. */
  sent(msgid: string): void {
    this.check(msgid, this.entries.get(msgid));
  }

  /** A copy of the message was handed to a node. */
  delivered(msgid: unknown): void {
    if (typeof msgid !== 'string') return;
    const e = this.entries.get(msgid);
    if (e) e.open++;
  }

  /** A node is done with its copy (done() called, or it has no done to call). */
  completed(msgid: unknown): void {
    if (typeof msgid !== 'string') return;
    const e = this.entries.get(msgid);
    if (!e) return;
    if (e.open > 0) e.open--;
    this.check(msgid, e);
  }

  /**
   * A node keeps the message's data until it is durable: true when the
   * message is tracked, and then the node calls release(msgid) exactly once.
   */
  hold(msgid: unknown): boolean {
    if (typeof msgid !== 'string') return false;
    const e = this.entries.get(msgid);
    if (!e) return false;
    e.holds++;
    e.held = true;
    return true;
  }

  /** The data of a hold taken with hold(msgid) is durable. */
  release(msgid: string): void {
    const e = this.entries.get(msgid);
    if (!e || e.holds === 0) return;
    e.holds--;
    this.check(msgid, e);
  }

  /**
   * A node took the message's data into a message of its own (a batch) that
   * the ledger tracks under another id: like a hold, never timed out, but it
   * does not mark the message held; handBack(msgid, held) ends it with what
   * became of the batch. True when the message is tracked.
   */
  adopt(msgid: unknown): boolean {
    if (typeof msgid !== 'string') return false;
    const e = this.entries.get(msgid);
    if (!e) return false;
    e.holds++;
    return true;
  }

  /** Ends an adopt(msgid): `held` tells whether a writer held the batch that carried its data. */
  handBack(msgid: string, held: boolean): void {
    const e = this.entries.get(msgid);
    if (!e || e.holds === 0) return;
    if (held) e.held = true;
    e.holds--;
    this.check(msgid, e);
  }

  /** Settles messages open longer than `maxOpenMs` with no hold; returns how many. */
  sweep(maxOpenMs: number): number {
    const cutoff = this.now() - maxOpenMs;
    let n = 0;
    for (const [id, e] of this.entries) {
      if (e.since > cutoff) break; // insertion order is age order
      if (e.holds > 0) continue;
      e.open = 0;
      n++;
      this.check(id, e);
    }
    this.stale += n;
    return n;
  }

  private check(msgid: string, e: Entry | undefined): void {
    if (!e || e.open > 0 || e.holds > 0) return;
    if (this.entries.get(msgid) !== e) return;
    this.entries.delete(msgid);
    this.settled++;
    e.owner.settle(e.token, e.held);
  }
}

/** One ledger per process: inputs and writers of every flow meet here. */
export const ackLedger = new AckLedger();
