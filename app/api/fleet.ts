/**
 * Devices and their latest values, read from the dashboard's fleet state (flow
 * context "fleet" of its `fleet state` function node, dashboards/src/functions/
 * device-state.js): it already follows every device with a bound, so the API
 * adds no per-reading work. Readings not yet merged by its one-second tick are
 * folded in here, read-only.
 */
type Obj = Record<string, unknown>;

export interface FleetDevice {
  deviceId: string;
  sensorTypes: string[];
  metrics: Record<string, { v: number; u: string; ts: number; st: string }>;
  lastSeen: number;
  lastEvent?: { type: string; ts: number };
  /** Readings not merged yet: the newest Reading per metric name (dashboard 1.6.0). */
  latest?: Record<string, Obj>;
  /** Readings not merged yet, oldest first (dashboards before 1.6.0, kept in memory across a deploy). */
  pending?: Obj[];
  /** Last availability announcement (Z2M availability, Tasmota LWT, ESPHome / Shelly status), or data since. */
  avail?: 'online' | 'offline';
  availAt?: number;
}
export interface Fleet {
  devices: Map<string, FleetDevice>;
}
export interface Metric {
  value: number;
  unit: string;
  ts: number;
  sensorType: string;
}
export interface DeviceView {
  deviceId: string;
  sensorTypes: string[];
  lastSeen: number;
  online: boolean;
  /** What `online` is judged by: the device's availability topic, or silence (OFFLINE_AFTER_S). */
  onlineSource: 'availability' | 'silence';
  /** When the last availability announcement (or data since) came, epoch ms. */
  availabilityAt?: number;
  lastEvent?: { type: string; ts: number };
  metrics: Record<string, Metric>;
}

/** The function node's sandbox has its own Map class: `instanceof Map` is false for its maps. */
export function isFleet(v: unknown): v is Fleet {
  const devices = typeof v === 'object' && v !== null ? (v as Obj).devices : undefined;
  return Object.prototype.toString.call(devices) === '[object Map]';
}

/** Latest value per metric: the merged ones, overridden by the readings the tick has not merged yet. */
export function latestMetrics(d: FleetDevice): Record<string, Metric> {
  const out: Record<string, Metric> = {};
  for (const [name, m] of Object.entries(d.metrics || {})) out[name] = { value: m.v, unit: m.u, ts: m.ts, sensorType: m.st };
  const put = (name: string, r: Obj): void => {
    const v = ((r.metrics || {}) as Obj)[name];
    if (typeof v !== 'number' || !Number.isFinite(v)) return;
    const units = (r.units || {}) as Obj;
    out[name] = {
      value: v,
      unit: typeof units[name] === 'string' ? (units[name] as string) : '',
      ts: typeof r.ts === 'number' ? r.ts : d.lastSeen,
      sensorType: typeof r.sensorType === 'string' ? r.sensorType : '',
    };
  };
  for (const r of d.pending || []) for (const name of Object.keys((r.metrics || {}) as Obj)) put(name, r);
  if (d.latest) for (const name of Object.keys(d.latest)) put(name, d.latest[name]);
  return out;
}

/** Online as the dashboard shows it (device-state.js isOffline): availability when the device has it, else silence. */
export function isOnline(d: FleetDevice, now: number, offlineAfterMs: number): boolean {
  return d.avail ? d.avail === 'online' : d.lastSeen >= now - offlineAfterMs;
}

export function deviceView(d: FleetDevice, now: number, offlineAfterMs: number): DeviceView {
  const view: DeviceView = {
    deviceId: d.deviceId,
    sensorTypes: [...d.sensorTypes],
    lastSeen: d.lastSeen,
    online: isOnline(d, now, offlineAfterMs),
    onlineSource: d.avail ? 'availability' : 'silence',
    metrics: latestMetrics(d),
  };
  if (d.avail && typeof d.availAt === 'number') view.availabilityAt = d.availAt;
  if (d.lastEvent) view.lastEvent = { ...d.lastEvent };
  return view;
}
