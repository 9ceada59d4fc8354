// Alert state for the Alerts page (flow context "alerts"). Inputs:
//  - a transition from threshold-alert (msg.payload Alert, msg.event): the active
//    map and the history ring are updated in place; nothing is sent yet;
//  - a list answer ({payload: {active, history}}): replaces both;
//  - topic "tick" (inject, every second): what changed since the last tick is
//    sent once: output 1 the active alerts (at most DASHBOARD_MAX_ALERTS,
//    default 200: critical first, newest first, with the total), output 2 the
//    history (at most 500 transitions), output 3 one notification for the
//    critical alerts fired since the last tick.
// So a burst of transitions costs constant work each, and browsers get at
// most one update a second whatever the alert count. Alerts and history
// entries go out with their device's name and location (deviceName,
// deviceLocation) from the device registry (global context "iotRegistry",
// docs/registry.md); a registry change resends the list.
const p = msg.payload;
const HISTORY_MAX = 500;
const st = flow.get('alerts') || { active: {}, count: 0, history: [], changed: 0, critical: [], criticalCount: 0 };
const ACTIVE = 1, HISTORY = 2;
let registry = null; // read once per tick

if (msg.topic === 'tick') return tick();
if (!p || typeof p !== 'object') return null;
if (Array.isArray(p.active)) {
    st.active = {};
    st.count = 0;
    for (const a of p.active) {
        if (!a || typeof a.id !== 'string') continue;
        if (!st.active[a.id]) st.count++;
        st.active[a.id] = Object.assign({}, a);
    }
    if (Array.isArray(p.history)) st.history = p.history.slice(-HISTORY_MAX);
    st.changed |= ACTIVE | HISTORY;
} else if (typeof p.id === 'string' && typeof p.state === 'string') {
    const known = st.active[p.id];
    if (p.state === 'resolved') {
        if (known) {
            delete st.active[p.id];
            st.count--;
        }
    } else {
        if (!known) st.count++;
        st.active[p.id] = Object.assign({}, known, p);
    }
    st.changed |= ACTIVE;
    const event = msg.event || p.state;
    if (event !== 'repeated') {
        st.history.push({
            at: p.since || Date.now(), event: event, alertId: p.id, ruleId: p.ruleId, deviceId: p.deviceId,
            severity: p.severity, value: p.value === undefined ? null : p.value,
            by: msg.by || p.acknowledgedBy || p.resolvedBy, reason: msg.reason || p.reason,
        });
        if (st.history.length > HISTORY_MAX) st.history.splice(0, st.history.length - HISTORY_MAX);
        st.changed |= HISTORY;
    }
    if (event === 'fired' && p.severity === 'critical') {
        // A few titles are kept for the notification; the rest are counted.
        if (st.critical.length < 3) st.critical.push({ title: p.title || p.ruleId, text: p.text || '', deviceId: p.deviceId });
        st.criticalCount++;
    }
} else {
    return null;
}
flow.set('alerts', st);
return null;

function tick() {
    registry = global.get('iotRegistry');
    const regVersion = registry && typeof registry.version === 'number' ? registry.version : 0;
    if (regVersion !== (st.registryVersion || 0)) {
        st.registryVersion = regVersion;
        st.changed |= ACTIVE | HISTORY;
    }
    if (!st.changed && !st.criticalCount) return null;
    const out = [null, null, null];
    if (st.changed & ACTIVE) {
        const max = Number(env.get('DASHBOARD_MAX_ALERTS')) > 0 ? Math.floor(Number(env.get('DASHBOARD_MAX_ALERTS'))) : 200;
        const rank = { critical: 0, warning: 1, info: 2 };
        const list = Object.values(st.active).sort((a, b) => ((rank[a.severity] ?? 3) - (rank[b.severity] ?? 3)) || (b.since - a.since)).slice(0, max).map(named);
        out[0] = { topic: 'alerts', payload: { active: list, total: st.count, hidden: st.count - list.length, at: Date.now() } };
    }
    if (st.changed & HISTORY) out[1] = { topic: 'alerts-history', payload: { history: st.history.map(named) } };
    if (st.criticalCount) {
        const [first, ...others] = st.critical;
        const more = st.criticalCount - 1;
        const lines = [esc(first.text)].concat(others.map((c) => esc(c.title)));
        if (more > others.length) lines.push('…');
        const d = named({ deviceId: first.deviceId });
        const where = [d.deviceName, d.deviceLocation].filter(Boolean).join(', ');
        out[2] = { topic: 'alert', payload: '<b>Critical: ' + esc(first.title) + (where ? ' – ' + esc(where) : '') + (more > 0 ? ' (and ' + more + ' more)' : '') + '</b><br>' + lines.join('<br>') };
    }
    st.changed = 0;
    st.critical = [];
    st.criticalCount = 0;
    flow.set('alerts', st);
    return out;
}

/** A copy of an alert or history entry with its device's registry name and location, when registered. */
function named(a) {
    const reg = registry;
    let e;
    if (reg && typeof reg.get === 'function') e = reg.get(a.deviceId);
    else if (reg && typeof reg === 'object' && Object.prototype.hasOwnProperty.call(reg, a.deviceId)) e = reg[a.deviceId];
    if (!e || typeof e !== 'object') return Object.assign({}, a);
    return Object.assign({}, a, { deviceName: typeof e.name === 'string' ? e.name : '', deviceLocation: typeof e.location === 'string' ? e.location : '' });
}

function esc(s) {
    return String(s).replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch]);
}
