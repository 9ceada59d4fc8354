/**
 * Output 3 of the normalizer: the Readings of a short interval in one message.
 *
 * Node-RED routes every message through hooks, a setImmediate and, for each
 * extra wire, a deep clone. A consumer that only needs to see every Reading
 * (alert rules, the dashboard's fleet state, a motion filter) pays that per
 * Reading when it hangs on output 1; on output 3 it pays it once per batch.
 * The storage path stays on output 1, one message per Reading, because the
 * durable acknowledgement follows each MQTT message through the flow.
 * No node-red import.
 */
import type { Reading } from '../common/types';

/**
 * A copy that shares nothing a consumer could change with the Reading on
 * output 1 (which a user's node may edit before the batch goes out).
 * Hand-written: about 20 times cheaper than a generic deep clone on this
 * flat shape; only an event's free-form `data` takes the generic path.
 */
export function copyReading(r: Reading): Reading {
  const copy: Reading = { deviceId: r.deviceId, sensorType: r.sensorType, ts: r.ts, metrics: { ...r.metrics }, received: r.received };
  if (r.units) copy.units = { ...r.units };
  if (r.tags) copy.tags = { ...r.tags };
  if (r.event) {
    copy.event = { id: r.event.id, type: r.event.type };
    if (r.event.data !== undefined) copy.event.data = structuredClone(r.event.data);
  }
  return copy;
}

/** Collects items and hands them out at most every `intervalMs`, or at once when `max` are waiting. */
export class Batches<T> {
  private items: T[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly max: number,
    private readonly emit: (items: T[]) => void,
  ) {}

  push(item: T): void {
    this.items.push(item);
    if (this.items.length >= this.max) this.flush();
    else if (this.timer === undefined) this.timer = setTimeout(() => this.flush(), this.intervalMs);
  }

  /** Hands out what is waiting now (nothing when empty). */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.items.length === 0) return;
    const items = this.items;
    this.items = [];
    this.emit(items);
  }

  get waiting(): number {
    return this.items.length;
  }
}
