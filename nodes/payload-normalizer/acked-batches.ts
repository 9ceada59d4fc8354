/**
 * Output 1 in batches (the node's *Output 1: Readings in batches*), carrying
 * the durable acknowledgement of the messages they came from.
 *
 * Node-RED pays its routing (hooks, a setImmediate, message bookkeeping) per
 * message and per hop; the shipped storage path has three hops after the
 * normalizer (link out, link in, writer). One message per batch pays them
 * once per batch instead of once per Reading.
 *
 * The acknowledgement: each Reading's source message (tracked in the ack
 * ledger by the MQTT input) is adopted when its Reading joins a batch, so it
 * stays unacknowledged after the normalizer's done(). The batch is tracked
 * in the ledger under an id of its own; when it settles (every node done with
 * it and the writer's holds released: written or spooled), the sources are
 * handed back and settle in turn. A batch that nothing holds (a node that
 * never calls done) is settled by the ledger's sweep, as a single message
 * would be. No node-red import.
 */
import type { AckLedger, Settler } from '../common/ack-ledger';
import type { Reading } from '../common/types';
import { Batches } from './batches';

export type BatchMessage = {
  _msgid: string;
  topic: 'readings';
  payload: Reading[];
  count: number;
};

interface Item {
  reading: Reading;
  source: string | undefined;
}

export class AckedBatches implements Settler<string[]> {
  private readonly batches: Batches<Item>;

  constructor(
    private readonly ledger: AckLedger,
    intervalMs: number,
    max: number,
    private readonly send: (msg: BatchMessage) => void,
    private readonly newId: () => string,
  ) {
    this.batches = new Batches<Item>(intervalMs, max, (items) => this.emit(items));
  }

  /** Adds a Reading; `sourceId` is the `_msgid` of the message it came from. */
  push(reading: Reading, sourceId: unknown): void {
    const source = this.ledger.adopt(sourceId) ? (sourceId as string) : undefined;
    this.batches.push({ reading, source });
  }

  /** Sends what is waiting now (at close). */
  flush(): void {
    this.batches.flush();
  }

  get waiting(): number {
    return this.batches.waiting;
  }

  /** The batch settled: its sources settle with what became of it. */
  settle(sources: string[], held: boolean): void {
    for (const id of sources) this.ledger.handBack(id, held);
  }

  private emit(items: Item[]): void {
    const payload = new Array<Reading>(items.length);
    const sources: string[] = [];
    for (let i = 0; i < items.length; i++) {
      payload[i] = items[i].reading;
      const s = items[i].source;
      if (s !== undefined) sources.push(s);
    }
    const msg: BatchMessage = { _msgid: this.newId(), topic: 'readings', payload, count: payload.length };
    if (sources.length) this.ledger.track(msg._msgid, this, sources);
    try {
      this.send(msg);
    } finally {
      if (sources.length) this.ledger.sent(msg._msgid);
    }
  }
}
