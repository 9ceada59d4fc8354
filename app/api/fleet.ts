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
  pending?: Obj[];
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
  lastEvent?: { type: string; ts: number };
  metrics: Record<string, Metric>;
}

/** The function node's sandbox has its own Map class: `instanceof Map` is false for its maps. */
export function isFleet(v: unknown): v is Fleet {
  const devices = typeof v === 'object' && v !== null ? (v as Obj).devices : undefined;
  return Object.prototype.toString.call(devices) === '[object Map]';
}

/** Latest value per metric: the merged ones, overridden by pending readings (newest last). */
export function latestMetrics(d: FleetDevice): Record<string, Metric> {
  const out: Record<string, Metric> = {};
  for (const [name, m] of Object.entries(d.metrics || {})) out[name] = { value: m.v, unit: m.u, ts: m.ts, sensorType: m.st };
  for (const r of d.pending || []) {
    const metrics = (r.metrics || {}) as Obj;
    const units = (r.units || {}) as Obj;
    for (const [name, v] of Object.entries(metrics)) {
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      out[name] = { value: v, unit: typeof units[name] === 'string' ? (units[name] as string) : '', ts: typeof r.ts === 'number' ? r.ts : d.lastSeen, sensorType: typeof r.sensorType === 'string' ? r.sensorType : '' };
    }
  }
  return out;
}

export function deviceView(d: FleetDevice, now: number, offlineAfterMs: number): DeviceView {
  const view: DeviceView = { deviceId: d.deviceId, sensorTypes: [...d.sensorTypes], lastSeen: d.lastSeen, online: d.lastSeen >= now - offlineAfterMs, metrics: latestMetrics(d) };
  if (d.lastEvent) view.lastEvent = { ...d.lastEvent };
  return view;
}
