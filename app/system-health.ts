/**
 * `lifecompanion/system/health` (the LifeCompanion seed): every
 * SYSTEM_HEALTH_INTERVAL_S seconds (default 30; 0 turns it off) the app
 * publishes, retained at QoS 1 with its own broker login,
 *   {status, active_devices, last_update, ready, reasons, uptime_s}
 * `status` is the seed's word for the app's readiness (healthy | degraded |
 * starting; offline is the retained last will and the message sent on stop),
 * `active_devices` the devices with a normalized reading within
 * ACTIVE_DEVICE_WINDOW_S (default 300), `last_update` the time of the latest
 * reading (ISO 8601, null before the first).
 */
import mqtt from 'mqtt';
import type { ReadyReport } from '../nodes/common/health-routes';

export interface SystemHealthPayload {
  status: 'healthy' | 'degraded' | 'starting' | 'offline';
  active_devices: number;
  last_update: string | null;
  ready: ReadyReport['status'] | 'stopped';
  reasons: string[];
  uptime_s: number;
}

/** Devices seen recently, bounded: the oldest entry goes when `max` is reached. */
export class DeviceActivity {
  private readonly seen = new Map<string, number>();
  private latest = 0;

  constructor(
    private readonly windowMs: number,
    private readonly max = 10_000,
  ) {}

  saw(deviceId: string, at: number): void {
    if (!deviceId) return;
    const prev = this.seen.get(deviceId);
    // Updating a key keeps its place in the map (cheap, once per reading); the order is not
    // needed until the bound is reached, which then looks for the least recently seen.
    if (prev === undefined && this.seen.size >= this.max) this.evict(at);
    if (prev === undefined || at > prev) this.seen.set(deviceId, at);
    if (at > this.latest) this.latest = at;
  }

  private evict(now: number): void {
    this.active(now);
    if (this.seen.size < this.max) return;
    let oldestId = '';
    let oldest = Infinity;
    for (const [id, at] of this.seen) if (at < oldest) [oldestId, oldest] = [id, at];
    this.seen.delete(oldestId);
  }

  /** Devices seen within the window before `now`; forgets the others. */
  active(now: number): number {
    for (const [id, at] of this.seen) if (now - at > this.windowMs) this.seen.delete(id);
    return this.seen.size;
  }

  lastUpdate(): number | undefined {
    return this.latest || undefined;
  }
}

/** The message for a readiness report and the activity at `now`. */
export function healthPayload(report: ReadyReport, activity: DeviceActivity, now: number, uptimeS: number): SystemHealthPayload {
  const last = activity.lastUpdate();
  return {
    status: report.status === 'ready' ? 'healthy' : report.status === 'starting' ? 'starting' : 'degraded',
    active_devices: activity.active(now),
    last_update: last ? new Date(last).toISOString() : null,
    ready: report.status,
    reasons: report.reasons,
    uptime_s: Math.round(uptimeS),
  };
}

interface SendEvent {
  msg: { payload?: unknown };
  source?: { port?: number; node?: { type?: string } };
}

/** Feeds `activity` from the normalizer's Reading output (first port; single Readings or batches). */
export function trackReadings(hooks: { add(name: string, fn: (events: SendEvent[]) => void): void }, activity: DeviceActivity): void {
  hooks.add('onSend.iot-system-health', (events) => {
    for (const e of events) {
      if (e.source?.node?.type !== 'payload-normalizer' || (e.source.port ?? 0) !== 0) continue;
      const p = e.msg?.payload;
      if (Array.isArray(p)) for (const r of p) see(activity, r);
      else see(activity, p);
    }
  });
}

function see(activity: DeviceActivity, r: unknown): void {
  const reading = r as { deviceId?: unknown; received?: unknown } | null;
  if (reading && typeof reading.deviceId === 'string') activity.saw(reading.deviceId, typeof reading.received === 'number' ? reading.received : Date.now());
}

export interface SystemHealthOptions {
  url: string;
  username?: string;
  password?: string;
  topic: string;
  intervalMs: number;
  report: () => ReadyReport;
  activity: DeviceActivity;
}

/** Connects and publishes at once, then every `intervalMs`; `close()` publishes `offline` and disconnects. */
export function startSystemHealth(o: SystemHealthOptions): { close(): Promise<void> } {
  const offline = (): string =>
    JSON.stringify({
      ...healthPayload({ status: 'not ready', reasons: ['stopped'], warnings: [] }, o.activity, Date.now(), process.uptime()),
      status: 'offline',
      ready: 'stopped',
    });
  const client = mqtt.connect(o.url, {
    username: o.username,
    password: o.password,
    clientId: `iot-system-health-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
    reconnectPeriod: 5000,
    will: { topic: o.topic, payload: Buffer.from(offline()), qos: 1, retain: true },
  });
  // Connection errors are retried by mqtt.js; readiness already reports the broker state.
  client.on('error', () => undefined);
  const publish = (): void => {
    if (!client.connected) return;
    const body = healthPayload(o.report(), o.activity, Date.now(), process.uptime());
    client.publish(o.topic, JSON.stringify(body), { qos: 1, retain: true });
  };
  client.on('connect', publish);
  const timer = setInterval(publish, o.intervalMs);
  timer.unref();
  return {
    close: async () => {
      clearInterval(timer);
      // A broker that stopped answering must not hold up the shutdown.
      const bounded = (p: Promise<unknown>): Promise<unknown> => Promise.race([p.catch(() => undefined), new Promise((r) => setTimeout(r, 3000).unref())]);
      if (client.connected) await bounded(client.publishAsync(o.topic, offline(), { qos: 1, retain: true }));
      await bounded(client.endAsync(!client.connected));
    },
  };
}
