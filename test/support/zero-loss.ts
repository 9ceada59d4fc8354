/**
 * The zero-loss harness: a steady QoS 1 publisher that remembers which
 * readings the broker acknowledged, and the read-back of what InfluxDB holds.
 * Used by test/durability/ and bench/durability-bench.ts.
 */
import mqtt, { MqttClient } from 'mqtt';
import { influxQuery } from './services';

export const ZL_DB = 'zeroloss';
export const ZL_MEASUREMENT = 'environmental';
/** Device time of reading n: unique per reading, so every reading is its own point. */
export const ZL_BASE_TS = Date.UTC(2026, 0, 1);

/** A steady stream of seed-shaped Ruuvi readings, each with a sequence number. */
export class Publisher {
  /** Sequence numbers the broker acknowledged (PUBACK). */
  readonly acked = new Set<number>();
  sent = 0;
  failed = 0;
  private timer: NodeJS.Timeout | undefined;
  private client: MqttClient | undefined;

  constructor(
    private readonly url: string,
    private readonly rate: number,
    private readonly devices = 50,
  ) {}

  async start(): Promise<void> {
    // A clean session with an unbounded offline queue: while the broker is away, publishes wait and count once acknowledged.
    this.client = await mqtt.connectAsync(this.url, { clientId: `zl-pub-${process.pid}-${Date.now()}`, reconnectPeriod: 200, queueQoSZero: false });
    const every = 10;
    const perTick = Math.max(1, Math.round((this.rate * every) / 1000));
    this.timer = setInterval(() => {
      for (let i = 0; i < perTick; i++) this.publishOne();
    }, every);
  }

  private publishOne(): void {
    const n = this.sent++;
    const dev = `zl_${n % this.devices}`;
    const payload = JSON.stringify({
      device_id: dev,
      timestamp: new Date(ZL_BASE_TS + n).toISOString(),
      temperature: 20 + (n % 100) / 10,
      humidity: 50,
      pressure: 1013,
      battery: 90,
      seq: n,
    });
    this.client?.publish(`lifecompanion/sensors/${dev}/environmental`, payload, { qos: 1 }, (err) => {
      if (err) this.failed++;
      else this.acked.add(n);
    });
  }

  /** Stops publishing and waits (up to timeoutMs) for outstanding publishes to be acknowledged. */
  async stop(timeoutMs = 60_000): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    const end = Date.now() + timeoutMs;
    while (this.acked.size + this.failed < this.sent && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    await this.client?.endAsync();
  }
}

/** Every `seq` stored as a point (distinct points: InfluxDB keeps one per series and time). */
export async function storedSeqs(influxUrl: string, maxSeq: number): Promise<{ seqs: Set<number>; points: number }> {
  const seqs = new Set<number>();
  let points = 0;
  const step = 5000; // device times are ZL_BASE_TS + seq ms: one window of 5000 ms holds at most 5000 points
  for (let from = 0; from <= maxSeq; from += step) {
    const t0 = (ZL_BASE_TS + from) * 1e6;
    const t1 = (ZL_BASE_TS + from + step) * 1e6;
    const rows = await influxQuery(influxUrl, ZL_DB, `SELECT "seq" FROM "${ZL_MEASUREMENT}" WHERE time >= ${t0} AND time < ${t1}`);
    for (const r of rows) {
      points++;
      seqs.add(Number(r.seq));
    }
  }
  return { seqs, points };
}

/** Acknowledged readings missing from InfluxDB, and points that are not one per reading. */
export async function lossReport(influxUrl: string, pub: Publisher): Promise<{ acked: number; stored: number; lost: number[]; duplicates: number }> {
  const { seqs, points } = await storedSeqs(influxUrl, pub.sent);
  const lost = [...pub.acked].filter((n) => !seqs.has(n));
  return { acked: pub.acked.size, stored: seqs.size, lost, duplicates: points - seqs.size };
}
