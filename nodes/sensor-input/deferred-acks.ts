/**
 * QoS 1 acknowledgements held back until each message is settled (see
 * common/ack-ledger.ts), then sent in arrival order, as MQTT asks.
 *
 * Across a reconnection (a broker restart, a network cut) the broker sends
 * every unacknowledged message again with its packet id and the DUP flag. A
 * message still on its way through the flow is not handed to the flow twice:
 * the redelivery is matched to it (same packet id, topic and size; the broker
 * cannot reuse an id we never acknowledged) and acknowledged on the new
 * connection once the first copy is durable. Acknowledgements are never sent
 * for a connection other than the one that delivered (or redelivered) the
 * message: on a new connection the same packet id may name another message.
 *
 * Pure logic, no mqtt.js import: the runner feeds it packets and sends the
 * acknowledgements it asks for.
 */

export interface Pending {
  id: number;
  topic: string;
  bytes: number;
  /** messageHash of topic and payload (receipts.ts). */
  hash: number;
  /** When the message first arrived (epoch ms): the time of a reading that carries none. */
  receivedAt: number;
  /** Connection the acknowledgement belongs to; -1 when it can no longer be sent. */
  conn: number;
  settled: boolean;
}

export type Arrival =
  /** A new message: hand it to the flow, call `settle(p)` once it is settled. */
  | { kind: 'new'; pending: Pending }
  /** A redelivery of a message already in the flow: do not hand it on again. */
  | { kind: 'redelivered' };

export class DeferredAcks {
  private items: Pending[] = [];
  private head = 0;
  /** Messages the broker may still send again, by packet id. */
  private readonly byId = new Map<number, Pending>();
  private conn = 0;
  redelivered = 0;

  private flushing = false;

  /**
   * `sendAcks` writes PUBACKs for these messages on the current connection.
   * `schedule` runs the flush after a settle: at once by default; the runner
   * passes setImmediate, so a writer releasing 5,000 messages costs one flush.
   */
  constructor(
    private readonly sendAcks: (acked: Pending[]) => void,
    private readonly schedule: (fn: () => void) => void = (fn) => fn(),
  ) {}

  /** Messages received and not yet acknowledged (or given up). */
  get size(): number {
    return this.items.length - this.head;
  }

  /** True while a PUBACK for this packet id must wait (mqtt.js would send it at once). */
  holds(id: number): boolean {
    return this.byId.has(id);
  }

  arrive(id: number, topic: string, bytes: number, dup: boolean, hash = 0, receivedAt = Date.now()): Arrival {
    const known = this.byId.get(id);
    if (known) {
      if (dup && known.conn !== this.conn && known.topic === topic && known.bytes === bytes && known.hash === hash) {
        known.conn = this.conn;
        this.redelivered++;
        if (known.settled) this.flush();
        return { kind: 'redelivered' };
      }
      // Same id, another message: the old one's acknowledgement can no longer be sent.
      known.conn = -1;
      this.byId.delete(id);
    }
    const pending: Pending = { id, topic, bytes, hash, receivedAt, conn: this.conn, settled: false };
    this.byId.set(id, pending);
    this.items.push(pending);
    return { kind: 'new', pending };
  }

  /** The message is settled; `ack` false: it must not be acknowledged (the broker keeps it). */
  settle(p: Pending, ack = true): void {
    p.settled = true;
    if (!ack) p.conn = -1;
    if (this.items[this.head] !== p || this.flushing) return;
    this.flushing = true;
    this.schedule(() => {
      this.flushing = false;
      this.flush();
    });
  }

  /** The connection closed: nothing can be acknowledged until the broker sends the messages again. */
  disconnected(): void {
    this.conn++;
  }

  /** Connected again. Without a kept session the broker will not send the old messages again. */
  connected(sessionPresent: boolean): void {
    if (sessionPresent) return;
    for (const p of this.byId.values()) p.conn = -1;
    this.byId.clear();
    this.flush();
  }

  /** Sends the acknowledgements of the settled messages at the front, in arrival order. */
  flush(): void {
    const acked: Pending[] = [];
    while (this.head < this.items.length) {
      const p = this.items[this.head];
      if (!p.settled) break;
      this.head++;
      if (this.byId.get(p.id) === p) this.byId.delete(p.id);
      if (p.conn === this.conn) acked.push(p);
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    if (acked.length) this.sendAcks(acked);
  }
}
