// Turns a /health/ready answer into the System page's figures. Rates come from
// counter deltas between two polls (per second).
const now = Date.now();
const body = msg.payload;
const prev = context.get('prev');
if (!body || typeof body !== 'object' || !body.status) {
    const detail = msg.statusCode ? 'HTTP ' + msg.statusCode : (msg.error && msg.error.message) || String(body).slice(0, 120);
    return { topic: 'system', payload: { ok: false, status: 'unreachable', reasons: ['health endpoint: ' + detail], at: now, brokers: {}, components: [], figures: {}, rates: {}, bounds: [] } };
}
const c = body.counters || {};
const num = (k) => (typeof c[k] === 'number' ? c[k] : 0);
const totals = {
    in: num('iot_messages_received_total'),
    readings: num('iot_readings_normalized_total'),
    rejected: num('iot_readings_rejected_total'),
    written: num('iot_points_written_total'),
    notified: num('iot_notifications_sent_total'),
    commands: num('iot_commands_total'),
};
const rates = {};
if (prev && now > prev.at) {
    const dt = (now - prev.at) / 1000;
    for (const k of Object.keys(totals)) {
        const d = totals[k] - (prev.totals[k] || 0);
        // A counter that went down means the app restarted: no rate for this poll.
        rates[k] = d >= 0 ? Math.round((d / dt) * 100) / 100 : 0;
    }
}
context.set('prev', { at: now, totals: totals });
const rejectReasons = {};
for (const k of Object.keys(c)) {
    const m = /^iot_readings_rejected_total\{reason=(.*)\}$/.exec(k);
    if (m && c[k] > 0) rejectReasons[m[1]] = c[k];
}
// What each bound dropped: health figures named dropped_<bound> (per component), the
// iot_bound_dropped_total counter (per node type and bound), and this dashboard's own device map.
const bounds = [];
for (const [id, v] of Object.entries(body.components || {})) {
    for (const [k, n] of Object.entries((v && v.figures) || {})) {
        const m = /^dropped_(.+)$/.exec(k);
        if (m && typeof n === 'number') bounds.push({ source: id, kind: v.kind || '', bound: m[1], dropped: n });
    }
}
for (const k of Object.keys(c)) {
    const m = /^iot_bound_dropped_total\{(.*)\}$/.exec(k);
    if (!m) continue;
    const labels = {};
    for (const pair of m[1].split(',')) {
        const i = pair.indexOf('=');
        if (i > 0) labels[pair.slice(0, i)] = pair.slice(i + 1);
    }
    bounds.push({ source: 'metrics', kind: labels.node || '', bound: labels.bound || '', dropped: c[k] });
}
const fleet = flow.get('fleet');
if (fleet) bounds.push({ source: 'dashboard', kind: 'fleet state', bound: 'DASHBOARD_MAX_DEVICES', dropped: fleet.dropped || 0 });
bounds.sort((a, b) => (b.dropped - a.dropped) || (a.source + a.bound).localeCompare(b.source + b.bound));
const components = Object.entries(body.components || {}).map(([id, v]) => ({
    id: id, kind: v.kind, ok: !!v.ok, detail: v.detail || '', figures: v.figures || {}, updated: v.updated || 0,
})).sort((a, b) => (a.ok === b.ok ? (a.kind + a.id).localeCompare(b.kind + b.id) : a.ok ? 1 : -1));
return {
    topic: 'system',
    payload: {
        ok: body.status === 'ready',
        status: body.status,
        reasons: body.reasons || [],
        warnings: body.warnings || [],
        at: now,
        brokers: body.brokers || {},
        components: components,
        totals: totals,
        rates: rates,
        figures: {
            queue: num('iot_writer_queue_points'),
            spool: num('iot_writer_spool_points'),
            outbox: num('iot_notifier_outbox'),
            alertsActive: num('iot_alerts_active'),
            dropped: num('iot_points_dropped_total'),
            notifyFailed: num('iot_notifications_failed_total'),
        },
        rejectReasons: rejectReasons,
        bounds: bounds,
    },
};
