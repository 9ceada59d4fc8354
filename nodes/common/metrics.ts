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

function gauge(name: string, help: string, labelNames: string[] = []): client.Gauge<string> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as client.Gauge<string>;
  return new client.Gauge({ name, help, labelNames });
}

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
  writerQueue: gauge('iot_writer_queue_points', 'Points held in memory by InfluxDB writers'),
  writerSpool: gauge('iot_writer_spool_points', 'Points in the InfluxDB writers\' disk spools'),
  alertsFired: counter('iot_alerts_fired_total', 'Alerts fired, per severity', ['severity']),
  alertsActive: gauge('iot_alerts_active', 'Alerts pending, firing or acknowledged, per severity', ['severity']),
  notificationsSent: counter('iot_notifications_sent_total', 'Notifications delivered, per channel', ['channel']),
  notificationsFailed: counter('iot_notifications_failed_total', 'Notification delivery attempts that failed, per channel', ['channel']),
  outboxDepth: gauge('iot_notifier_outbox', 'Notifications waiting in notifier outboxes'),
  recordings: counter('iot_recordings_total', 'Camera recordings, per result', ['result']),
  commands: counter('iot_commands_total', 'Servo command outcomes, per final status', ['status']),
  /**
   * Input dropped or folded by a bound (devices tracked, alerts held, series per device...).
   * label bound: the setting's name, e.g. `maxDevices`; label node: the node type.
   * A node also reports the same count in its health figures as `dropped_<bound>`,
   * which the System page lists.
   */
  /** Messages dropped before delivery because they nest deeper than the limit (depth-guard), per sending node type. */
  messagesTooDeep: counter('iot_messages_too_deep_total', 'Messages dropped because they nest deeper than the message depth limit, per sending node type', ['node']),
  boundDropped: counter('iot_bound_dropped_total', 'Inputs dropped or folded because a bound was reached, per node type and bound', ['node', 'bound']),
};
