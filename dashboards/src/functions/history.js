// History page logic. Inputs, told apart by shape:
//  - {topic:'fleet', payload:{catalog}} once a second from the fleet state, when
//    it changed: the device/metric catalog for the selectors (rebuilt when the
//    catalog version moved) and a live point of the selected series,
//    decimated to the query's bucket size (read from flow context "fleet")
//  - {topic:'select', payload:{deviceId, metric, range}} from the selector widget
//  - msg.historyQuery + influxdb-query points [{x, y, series}] -> whole series for the chart (replace)
//  - msg.historyQuery + msg.error (catch)   -> error status
// Outputs: 1 query for influxdb-query, 2 chart data, 3 selector state.
const RANGES = {
    '1h': { ms: 3600e3, every: 10e3 },
    '6h': { ms: 6 * 3600e3, every: 60e3 },
    '24h': { ms: 24 * 3600e3, every: 300e3 },
    '7d': { ms: 7 * 86400e3, every: 1800e3 },
    '30d': { ms: 30 * 86400e3, every: 7200e3 },
};
const st = flow.get('history') || { catalog: {}, catalogAt: -1, sel: null, status: 'Pick a device and a metric.', lastLive: 0 };
const p = msg.payload;
const state = () => ({ topic: 'history-state', payload: { catalog: st.catalog, sel: st.sel, status: st.status, ranges: Object.keys(RANGES) } });
const save = () => flow.set('history', st);
const dur = (ms) => (ms % 86400e3 === 0 ? ms / 86400e3 + 'd' : ms % 3600e3 === 0 ? ms / 3600e3 + 'h' : ms % 60e3 === 0 ? ms / 60e3 + 'm' : ms / 1e3 + 's');
const label = (sel) => sel.deviceId + ' · ' + sel.metric + (sel.unit ? ' (' + sel.unit + ')' : '');

if (msg.historyQuery) {
    const sel = st.sel;
    if (!sel || msg.historyQuery !== sel.key) return null; // an answer to an older selection
    if (msg.error) {
        st.status = 'Query failed: ' + String(msg.error.message || msg.error).replace(/^\w*Error: /, '').slice(0, 200);
        save();
        return [null, null, state()];
    }
    const points = toPoints(p);
    st.status = points.length + ' points, mean per ' + dur(RANGES[sel.range].every) + ' over the last ' + sel.range +
        (points.length ? ' · latest ' + points[points.length - 1].y + (sel.unit ? ' ' + sel.unit : '') : '');
    st.lastLive = points.length ? points[points.length - 1].x : 0;
    save();
    // An empty array clears the chart, so "no data" sends nothing to it.
    return [null, points.length ? { topic: label(sel), action: 'replace', payload: points } : null, state()];
}

if (msg.topic === 'fleet' && p && typeof p === 'object') {
    const fleet = flow.get('fleet');
    if (!fleet) return null;
    let selectors = null;
    if (p.catalog !== st.catalogAt) {
        const catalog = {};
        for (const [id, d] of fleet.devices) {
            const c = catalog[id] = {};
            for (const m of Object.keys(d.metrics)) c[m] = { st: d.metrics[m].st, u: d.metrics[m].u };
        }
        st.catalog = catalog;
        st.catalogAt = p.catalog;
        selectors = state();
    }
    let point = null;
    const sel = st.sel;
    const d = sel && fleet.devices.get(sel.deviceId);
    const m = d && Object.prototype.hasOwnProperty.call(d.metrics, sel.metric) ? d.metrics[sel.metric] : null;
    // One live point per bucket: the chart never holds more than the range's worth.
    if (m && m.ts - st.lastLive >= RANGES[sel.range].every) {
        st.lastLive = m.ts;
        point = { topic: label(sel), payload: { x: m.ts, y: m.v } };
    }
    if (!selectors && !point) return null;
    save();
    return [null, point, selectors];
}

if (msg.topic === 'select' && p && typeof p === 'object') {
    const range = RANGES[p.range] ? p.range : '24h';
    const info = (st.catalog[p.deviceId] || {})[p.metric];
    if (!info) {
        st.status = 'Unknown device or metric: ' + p.deviceId + ' / ' + p.metric;
        save();
        return [null, null, state()];
    }
    const r = RANGES[range];
    const key = p.deviceId + '|' + p.metric + '|' + range + '|' + Date.now();
    st.sel = { deviceId: p.deviceId, metric: p.metric, range: range, sensorType: info.st, unit: info.u, key: key };
    st.status = 'Loading ' + label(st.sel) + ' for the last ' + range + '…';
    st.lastLive = 0;
    save();
    // influxdb-query (aggregate mode) writes InfluxQL or Flux for the configured server.
    const query = {
        topic: 'history',
        historyQuery: key,
        payload: { mode: 'aggregate', measurement: info.st, deviceId: p.deviceId, metric: p.metric, start: '-' + dur(r.ms), interval: dur(r.every), fn: 'mean', limit: 1000 },
    };
    return [query, { topic: label(st.sel), payload: [] }, state()];
}

return null;

function toPoints(body) {
    // influxdb-query answers [{x, y, series}]; {ts, value} rows are accepted too.
    if (!Array.isArray(body)) return [];
    const pts = [];
    for (const row of body) {
        if (!row || typeof row !== 'object') continue;
        const t = row.x !== undefined ? row.x : row.ts !== undefined ? row.ts : row.time;
        const x = typeof t === 'number' ? t : Date.parse(t);
        const y = row.y !== undefined ? row.y : row.value;
        if (Number.isFinite(x) && typeof y === 'number' && Number.isFinite(y)) pts.push({ x: x, y: Math.round(y * 1000) / 1000 });
    }
    pts.sort((a, b) => a.x - b.x);
    // Decimate: never more than 500 points whatever the query returned (first and last kept).
    if (pts.length > 500) {
        const out = [];
        for (let i = 0; i < 500; i++) out.push(pts[Math.round((i * (pts.length - 1)) / 499)]);
        return out;
    }
    return pts;
}
