// Keeps the latest value of every metric per device (flow context "devices")
// and emits the whole fleet as one snapshot. A throttle node after this one
// lets at most one snapshot per second reach the browsers.
const r = msg.payload;
if (!r || typeof r !== 'object' || typeof r.deviceId !== 'string' || r.deviceId === '') return null;
const MAX_DEVICES = 500;
const MAX_METRICS = 40;
const devices = flow.get('devices') || {};
let d = devices[r.deviceId];
if (!d) {
    if (Object.keys(devices).length >= MAX_DEVICES) return null;
    d = devices[r.deviceId] = { deviceId: r.deviceId, sensorTypes: [], metrics: {}, lastSeen: 0 };
}
const sensorType = typeof r.sensorType === 'string' ? r.sensorType : '';
if (sensorType && !d.sensorTypes.includes(sensorType)) d.sensorTypes.push(sensorType);
const units = r.units || {};
const ts = typeof r.ts === 'number' ? r.ts : Date.now();
for (const [name, value] of Object.entries(r.metrics || {})) {
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    if (!d.metrics[name] && Object.keys(d.metrics).length >= MAX_METRICS) continue;
    d.metrics[name] = { v: value, u: units[name] || '', ts: ts, st: sensorType };
}
if (r.event && typeof r.event.type === 'string') d.lastEvent = { type: r.event.type, ts: ts };
// Last-seen uses the engine's clock (received), not the device's, which may drift.
d.lastSeen = Math.max(d.lastSeen, typeof r.received === 'number' ? r.received : Date.now());
flow.set('devices', devices);
const offlineAfterS = Number(env.get('OFFLINE_AFTER_S')) || 120;
return {
    topic: 'devices',
    payload: { devices: Object.values(devices), offlineAfterS: offlineAfterS, now: Date.now() },
};
