// Fleet state for the Overview and History pages (flow context "fleet").
// Inputs, told apart by topic:
//  - a batch of Readings (the normalizer's output 3, every 250 ms; payload is
//    an array) or one Reading wired here directly: each updates its device's
//    entry in a bounded map; nothing is sent.
//  - topic "tick" (inject, every second): when something changed (a reading,
//    or a device that crossed the offline threshold), one snapshot for the
//    tiles (output 1) and a note for the History function (output 2).
//    Browsers get at most one a second.
// DASHBOARD_MAX_DEVICES (default 10000) bounds the map: updates of further
// devices are dropped and counted (Overview summary, System page).
// DASHBOARD_MAX_TILES (default 200) bounds the tiles sent: offline devices
// first, then by id; the summary counts the whole fleet.
// DASHBOARD_FORGET_AFTER_H (default 168, a week): a device silent that long
// is forgotten (counted in the summary) until it reports again.
// Availability (sensorType "availability", metric online 1/0: Z2M availability,
// Tasmota LWT, ESPHome / Shelly status): a device that has one is offline when
// it last said offline and online when it said online or sent data since;
// silence past OFFLINE_AFTER_S counts only for devices without one.
// Tiles carry the device's name and location from the device registry
// (global context "iotRegistry", docs/registry.md); a registry change resends them.
// Scale-out (REDIS_URL, docs/scale-out.md): the app puts a FleetShare in global
// context ("iotFleetShare", nodes/common/fleet-share.ts). At each tick this
// instance offers the devices it got readings for and adopts what the other
// instances wrote (newest value per metric wins), so every instance shows the
// whole fleet. Both calls only touch memory: readings never wait for Redis.
const MAX_METRICS = 40;
const MAX_TYPES = 8;
const fleet = flow.get('fleet') || { devices: new Map(), dirty: [], dropped: 0, changed: false, catalog: 0, offline: -1 };
fleet.dirty = fleet.dirty || []; // a fleet kept in memory by version 1.2.0 across a deploy
let registry = null; // read once per tick

if (msg.topic === 'tick') {
    flow.set('fleet', fleet);
    return tick();
}
let changed = false;
if (Array.isArray(msg.payload)) {
    for (const r of msg.payload) if (update(r)) changed = true;
} else {
    changed = update(msg.payload);
}
if (changed) flow.set('fleet', fleet);
return null;

function update(r) {
    if (!r || typeof r !== 'object' || typeof r.deviceId !== 'string' || r.deviceId === '') return false;
    let d = fleet.devices.get(r.deviceId);
    if (!d) {
        if (fleet.devices.size >= setting('DASHBOARD_MAX_DEVICES', 10000)) {
            fleet.dropped++;
            fleet.changed = true;
            return true;
        }
        d = { deviceId: r.deviceId, sensorTypes: [], metrics: {}, n: 0, lastSeen: 0, latest: undefined };
        fleet.devices.set(r.deviceId, d);
        fleet.catalog++;
    }
    const sensorType = typeof r.sensorType === 'string' ? r.sensorType : '';
    const received = typeof r.received === 'number' ? r.received : Date.now();
    if (sensorType === 'availability' && r.metrics && (r.metrics.online === 0 || r.metrics.online === 1)) {
        // The badge shows it, not a metric; an offline announcement (often the broker's will) is no sign of life.
        d.avail = r.metrics.online === 1 ? 'online' : 'offline';
        d.availAt = received;
        if (d.avail === 'online' || d.lastSeen === 0) d.lastSeen = Math.max(d.lastSeen, received);
        fleet.changed = true;
        return true;
    }
    if (d.avail) { d.avail = 'online'; d.availAt = received; }
    if (sensorType && d.sensorTypes.length < MAX_TYPES && !d.sensorTypes.includes(sensorType)) d.sensorTypes.push(sensorType);
    // Only the newest Reading per metric is kept until the tick merges it (merge()): a device that
    // reports ten times a second costs one entry per metric a second, not ten, and the older
    // Readings are garbage at once instead of living (and being promoted by the GC) until the tick.
    if (!d.latest) {
        d.latest = Object.create(null);
        fleet.dirty.push(d);
    }
    const metrics = r.metrics;
    if (metrics && typeof metrics === 'object') {
        for (const name in metrics) if (typeof metrics[name] === 'number') d.latest[name] = r;
    }
    if (r.event && typeof r.event.type === 'string') d.lastEvent = { type: r.event.type, ts: typeof r.ts === 'number' ? r.ts : Date.now() };
    // Last-seen uses the engine's clock (received), not the device's, which may drift.
    d.lastSeen = Math.max(d.lastSeen, received);
    fleet.changed = true;
    return true;
}

/** Folds the newest Reading of each metric kept since the last tick into the devices' metrics; returns the devices touched. */
function merge() {
    const touched = fleet.dirty;
    for (const d of touched) {
        const latest = d.latest || {};
        d.latest = undefined;
        for (const name in latest) {
            const r = latest[name];
            const value = r.metrics[name];
            if (!Number.isFinite(value)) continue;
            if (!Object.prototype.hasOwnProperty.call(d.metrics, name)) {
                if (d.n >= MAX_METRICS) continue;
                d.n++;
                fleet.catalog++;
            }
            // Entries are replaced, never changed in place: a snapshot's shallow copy stays as it was sent.
            const units = r.units || {};
            d.metrics[name] = { v: value, u: units[name] || '', ts: typeof r.ts === 'number' ? r.ts : Date.now(), st: typeof r.sensorType === 'string' ? r.sensorType : '' };
        }
    }
    fleet.dirty = [];
    return touched;
}

/** Scale-out: offers the devices this instance heard from, adopts the ones the others did. */
function share(touched) {
    const sh = global.get('iotFleetShare');
    if (!sh || typeof sh.offer !== 'function') return;
    if (touched.length) {
        const seen = new Set();
        sh.offer(touched.filter((d) => !seen.has(d) && seen.add(d)).map((d) => ({
            deviceId: d.deviceId, sensorTypes: d.sensorTypes.slice(), metrics: Object.assign({}, d.metrics), lastSeen: d.lastSeen,
            lastEvent: d.lastEvent, avail: d.avail, availAt: d.availAt,
        })));
    }
    for (const e of sh.take()) adopt(e);
}

/** Another instance's view of a device: the newest value of each metric wins. */
function adopt(e) {
    if (!e || typeof e.deviceId !== 'string' || e.deviceId === '') return;
    let d = fleet.devices.get(e.deviceId);
    if (!d) {
        if (fleet.devices.size >= setting('DASHBOARD_MAX_DEVICES', 10000)) {
            fleet.dropped++;
            fleet.changed = true;
            return;
        }
        d = { deviceId: e.deviceId, sensorTypes: [], metrics: {}, n: 0, lastSeen: 0, latest: undefined };
        fleet.devices.set(e.deviceId, d);
        fleet.catalog++;
    }
    for (const t of Array.isArray(e.sensorTypes) ? e.sensorTypes : []) if (d.sensorTypes.length < MAX_TYPES && !d.sensorTypes.includes(t)) d.sensorTypes.push(t);
    const metrics = e.metrics || {};
    for (const name of Object.keys(metrics)) {
        const m = metrics[name];
        const cur = d.metrics[name];
        if (!m || typeof m.v !== 'number' || typeof m.ts !== 'number' || (cur && cur.ts >= m.ts)) continue;
        if (!cur) {
            if (d.n >= MAX_METRICS) continue;
            d.n++;
            fleet.catalog++;
        }
        d.metrics[name] = { v: m.v, u: m.u || '', ts: m.ts, st: m.st || '' };
    }
    if (e.lastEvent && (!d.lastEvent || d.lastEvent.ts < e.lastEvent.ts)) d.lastEvent = e.lastEvent;
    if (e.avail && (e.availAt || 0) > (d.availAt || 0)) { d.avail = e.avail; d.availAt = e.availAt; }
    if (typeof e.lastSeen === 'number' && e.lastSeen > d.lastSeen) d.lastSeen = e.lastSeen;
    fleet.changed = true;
}

function setting(name, dflt) {
    const v = Number(env.get(name));
    return Number.isFinite(v) && v > 0 ? Math.floor(v) : dflt;
}

/** Offline: announced so, or (without an availability topic) silent since before `cutoff`. */
function isOffline(x, cutoff) {
    return x.avail ? x.avail === 'offline' : x.lastSeen < cutoff;
}

/** Name and location of a device from the registry (the app's, with get(), or a plain object a flow set). */
function registered(id) {
    const reg = registry;
    let e;
    if (reg && typeof reg.get === 'function') e = reg.get(id);
    else if (reg && typeof reg === 'object' && Object.prototype.hasOwnProperty.call(reg, id)) e = reg[id];
    if (!e || typeof e !== 'object') return {};
    return { name: typeof e.name === 'string' ? e.name : '', location: typeof e.location === 'string' ? e.location : '' };
}

function tick() {
    share(merge());
    const now = Date.now();
    registry = global.get('iotRegistry');
    const regVersion = registry && typeof registry.version === 'number' ? registry.version : 0;
    if (regVersion !== (fleet.registryVersion || 0)) {
        fleet.registryVersion = regVersion;
        fleet.changed = true;
    }
    const offlineAfterS = setting('OFFLINE_AFTER_S', 120);
    const cutoff = now - offlineAfterS * 1000;
    // A device silent for DASHBOARD_FORGET_AFTER_H hours is forgotten (a retired sensor does not
    // hold its tile and its place under DASHBOARD_MAX_DEVICES for ever); it comes back with its next reading.
    const forgetCutoff = now - setting('DASHBOARD_FORGET_AFTER_H', 168) * 3600 * 1000;
    const all = [];
    let offline = 0;
    for (const x of fleet.devices.values()) {
        if (x.lastSeen < forgetCutoff && !x.latest) {
            fleet.devices.delete(x.deviceId);
            fleet.catalog -= 1 + x.n;
            fleet.forgotten = (fleet.forgotten || 0) + 1;
            fleet.changed = true;
            continue;
        }
        all.push(x);
        if (isOffline(x, cutoff)) offline++;
    }
    if (!fleet.changed && offline === fleet.offline) return null;
    fleet.changed = false;
    fleet.offline = offline;
    flow.set('fleet', fleet);
    const maxTiles = setting('DASHBOARD_MAX_TILES', 200);
    let shown = all;
    if (all.length > maxTiles) {
        shown = all.slice().sort((a, b) => (isOffline(a, cutoff) === isOffline(b, cutoff) ? (a.deviceId < b.deviceId ? -1 : 1) : isOffline(a, cutoff) ? -1 : 1)).slice(0, maxTiles);
    }
    const tiles = shown.map((x) => Object.assign({
        deviceId: x.deviceId, sensorTypes: x.sensorTypes.slice(), metrics: Object.assign({}, x.metrics), lastEvent: x.lastEvent, lastSeen: x.lastSeen,
        avail: x.avail, availAt: x.availAt,
    }, registered(x.deviceId)));
    return [{
        topic: 'devices',
        payload: {
            devices: tiles, total: all.length, offline: offline, hidden: all.length - tiles.length,
            dropped: fleet.dropped, forgotten: fleet.forgotten || 0, maxDevices: setting('DASHBOARD_MAX_DEVICES', 10000), offlineAfterS: offlineAfterS, now: now,
        },
    }, { topic: 'fleet', payload: { catalog: fleet.catalog } }];
}
