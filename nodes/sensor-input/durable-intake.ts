/**
 * The durable side of the MQTT runner (see common/ack-ledger.ts and
 * docs/durability.md): takes the QoS 1 acknowledgements away from mqtt.js,
 * tracks each message handed to the flow in the ack ledger, and sends its
 * PUBACK (after its receipt) once the ledger settles it.
 */
import type { IPublishPacket, MqttClient } from 'mqtt';
import { errorMessage } from '../common/errors';
import type { AckLedger, Settler } from '../common/ack-ledger';
import { DeferredAcks, type Pending } from './deferred-acks';
import { messageHash, ReceiptLog } from './receipts';

/** How the runner defers acknowledgements: the process's ledger and how long a message may stay open without a hold. */
export interface DurableAck {
  ledger: AckLedger;
  maxOpenMs: number;
  /** Identifies this install in the client id (see clientIdFor). */
  install: string;
  /** Folder of the receive-time log (receipts.ts); none: redelivered readings without a device time get a new time. */
  receiptsDir?: string;
}

/** A message for the flow, with the ledger's id and its first arrival time. */
export interface Tracked {
  _msgid: string;
  received: number;
}

export function openReceipts(dir: string, warn: (text: string) => void): ReceiptLog | undefined {
  try {
    return new ReceiptLog(dir);
  } catch (err) {
    warn(`receive-time log unavailable (${errorMessage(err)}): a reading without a device time sent again after a crash gets a new time`);
    return undefined;
  }
}

/** One connection's intake: made on connect, it lives as long as the mqtt.js client. */
export class DurableIntake implements Settler<Pending> {
  readonly acks: DeferredAcks;
  /** Set while the node closes: what settles now without a writer's hold was maybe dropped by routing. */
  closing = false;
  private seq = 0;
  private queued: Pending[] = [];

  constructor(
    private readonly c: MqttClient,
    private readonly durable: DurableAck,
    private readonly nodeId: string,
    private readonly receipts: ReceiptLog | undefined,
    private readonly now: () => number,
  ) {
    // mqtt.js sends each PUBACK as soon as the message is handed on, and has no
    // option against it: its `_sendPacket` is wrapped (tested with the mqtt.js in use).
    const inner = c as unknown as { _sendPacket(packet: { cmd: string; messageId?: number }, cb?: (err?: Error) => void, ...rest: unknown[]): void };
    if (typeof inner._sendPacket !== 'function') throw new Error('this mqtt.js has no _sendPacket: durable acknowledgement is not available');
    const send = inner._sendPacket.bind(c);
    inner._sendPacket = (packet, cb, ...rest) => {
      if (packet.cmd === 'puback') cb?.();
      else send(packet, cb, ...rest);
    };
    const write = (): void => {
      const acked = this.queued;
      this.queued = [];
      if (!c.connected) return;
      try {
        this.receipts?.record(acked);
      } catch {
        /* disk trouble: the acknowledgements matter more than the receive times */
      }
      c.stream?.cork?.();
      for (const p of acked) send({ cmd: 'puback', messageId: p.id });
      c.stream?.uncork?.();
    };
    this.acks = new DeferredAcks((acked) => {
      // Collected for one write per event-loop turn.
      if (this.queued.length === 0) setImmediate(write);
      for (const p of acked) this.queued.push(p);
    }, setImmediate);
  }

  /** The ledger settled a message: while closing, one that no writer held is left with the broker (routing drops messages then). */
  settle(p: Pending, held: boolean): void {
    this.acks.settle(p, held || !this.closing);
  }

  /**
   * A QoS 1 message arrived: hands a new one to `emit` (tracked until settled);
   * a redelivery of a message still in the flow is not handed on again.
   */
  take<T extends object>(packet: IPublishPacket, buf: Buffer, make: () => T, emit: (msg: T & Tracked) => void): void {
    const id = packet.messageId as number;
    const hash = messageHash(packet.topic, buf);
    const first = packet.dup ? this.receipts?.lookup(id, buf.length, hash) : undefined;
    const arrival = this.acks.arrive(id, packet.topic, buf.length, !!packet.dup, hash, first ?? this.now());
    if (arrival.kind !== 'new') return;
    const msg = Object.assign(make(), { _msgid: `${this.nodeId}-${(++this.seq).toString(36)}`, received: arrival.pending.receivedAt });
    this.durable.ledger.track(msg._msgid, this, arrival.pending);
    emit(msg);
    this.durable.ledger.sent(msg._msgid);
  }
}
