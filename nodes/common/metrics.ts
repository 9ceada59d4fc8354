/**
 * Prometheus metrics shared by every node (served by the app at /metrics).
 * Labels stay low-cardinality: never a device id or a full topic.
 */
import client from 'prom-client';

export const registry = client.register;

function counter(name: string, help: string, labelNames: string[] = []): client.Counter<string> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as client.Counter<string>;
  return new client.Counter({ name, help, labelNames });
}

/** What a node reports for a scraped gauge: a number, or numbers by the value of the gauge's one label. */
export type GaugeReading = number | Record<string, number>;

/**
 * Sources of the scraped gauges, by metric name then by source key (a node id).
 * Kept on globalThis so a second copy of this module (another require path) shares them.
 */
const SOURCES_KEY = Symbol.for('node-red-iot-flow-engine.gaugeSources');
const sources: Map<string, Map<string, () => GaugeReading>> = ((globalThis as Record<symbol, unknown>)[SOURCES_KEY] ??= new Map()) as Map<
  string,
  Map<string, () => GaugeReading>
>;

/**
 * A gauge whose value is computed when metrics are scraped (prom-client
 * `collect`): the sum of what every registered source reports now, so no
 * node keeps a running total by increments.
 */
function scrapedGauge(name: string, help: string, labelNames: string[] = []): client.Gauge<string> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as client.Gauge<string>;
  if (!sources.has(name)) sources.set(name, new Map());
  return new client.Gauge({
    name,
    help,
    labelNames,
    collect(this: client.Gauge<string>) {
      const sums = new Map<string, number>();
      for (const read of sources.get(name)?.values() ?? []) {
        const v = read();
        if (typeof v === 'number') sums.set('', (sums.get('') ?? 0) + v);
        else for (const [label, n] of Object.entries(v)) sums.set(label, (sums.get(label) ?? 0) + n);
      }
      this.reset();
      for (const [label, n] of sums) {
        if (labelNames.length === 0) this.set(n);
        else this.set({ [labelNames[0]]: label }, n);
      }
    },
  });
}

/**
 * Registers `read` as a source of a scraped gauge under `key` (a node id;
 * a second call with the same key replaces the first). Returns the function
 * that removes it (on close).
 */
export function addGaugeSource(gauge: client.Gauge<string>, key: string, read: () => GaugeReading): () => void {
  const name = (gauge as unknown as { name: string }).name;
  const map = sources.get(name);
  if (!map) throw new Error(`${name} is not a scraped gauge`);
  map.set(key, read);
  return () => {
    if (map.get(key) === read) map.delete(key);
  };
}

/** Gauges are scraped (see addGaugeSource); counters count. */
export const metrics = {
  /** label family: first topic level(s), e.g. `sensors`, `lifecompanion`, `devices`. */
  messagesReceived: counter('iot_messages_received_total', 'MQTT messages received by the normalizer, per topic family', ['family']),
  readingsNormalized: counter('iot_readings_normalized_total', 'Readings produced by the normalizer, per decoder', ['decoder']),
  readingsRejected: counter('iot_readings_rejected_total', 'Messages rejected by the normalizer, per reason code', ['reason']),
  duplicatesDropped: counter('iot_duplicates_dropped_total', 'Duplicate events dropped by the normalizer'),
  rateLimited: counter('iot_rate_limited_total', 'Messages dropped by a per-device rate limit, per node type', ['node']),
  pointsWritten: counter('iot_points_written_total', 'Points written to InfluxDB'),
  pointsSpooled: counter('iot_points_spooled_total', 'Points written to the disk spool while InfluxDB was unavailable'),
  pointsDropped: counter('iot_points_dropped_total', 'Points dropped (spool full or rejected by InfluxDB), per reason', ['reason']),
  writerQueue: scrapedGauge('iot_writer_queue_points', 'Points held in memory by InfluxDB writers'),
  writerSpool: scrapedGauge('iot_writer_spool_points', "Points in the InfluxDB writers' disk spools"),
  alertsFired: counter('iot_alerts_fired_total', 'Alerts fired, per severity', ['severity']),
  alertsActive: scrapedGauge('iot_alerts_active', 'Alerts pending, firing or acknowledged, per severity', ['severity']),
  notificationsSent: counter('iot_notifications_sent_total', 'Notifications delivered, per channel', ['channel']),
  notificationsFailed: counter('iot_notifications_failed_total', 'Notification delivery attempts that failed, per channel', ['channel']),
  outboxDepth: scrapedGauge('iot_notifier_outbox', 'Notifications waiting in notifier outboxes'),
  recordings: counter('iot_recordings_total', 'Camera recordings, per result', ['result']),
  commands: counter('iot_commands_total', 'Servo command outcomes, per final status', ['status']),
  /**
   * Input dropped or folded by a bound (devices tracked, alerts held, series per device...).
   * label bound: the setting's name, e.g. `maxDevices`; label node: the node type.
   * A node also reports the same count in its health figures as `dropped_<bound>`,
   * which the System page lists.
   */
  /** Messages dropped before delivery because they nest deeper than the limit (depth-guard), per sending node type. */
  messagesTooDeep: counter('iot_messages_too_deep_total', 'Messages dropped because they nest deeper than the message depth limit, per sending node type', [
    'node',
  ]),
  boundDropped: counter('iot_bound_dropped_total', 'Inputs dropped or folded because a bound was reached, per node type and bound', ['node', 'bound']),
};
