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
// most one update a second whatever the alert count.
const p = msg.payload;
const HISTORY_MAX = 500;
const st = flow.get('alerts') || { active: {}, count: 0, history: [], changed: 0, critical: [], criticalCount: 0 };
const ACTIVE = 1, HISTORY = 2;

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
        if (st.critical.length < 3) st.critical.push({ title: p.title || p.ruleId, text: p.text || '' });
        st.criticalCount++;
    }
} else {
    return null;
}
flow.set('alerts', st);
return null;

function tick() {
    if (!st.changed && !st.criticalCount) return null;
    const out = [null, null, null];
    if (st.changed & ACTIVE) {
        const max = Number(env.get('DASHBOARD_MAX_ALERTS')) > 0 ? Math.floor(Number(env.get('DASHBOARD_MAX_ALERTS'))) : 200;
        const rank = { critical: 0, warning: 1, info: 2 };
        const list = Object.values(st.active).sort((a, b) => ((rank[a.severity] ?? 3) - (rank[b.severity] ?? 3)) || (b.since - a.since)).slice(0, max);
        out[0] = { topic: 'alerts', payload: { active: list, total: st.count, hidden: st.count - list.length, at: Date.now() } };
    }
    if (st.changed & HISTORY) out[1] = { topic: 'alerts-history', payload: { history: st.history.slice() } };
    if (st.criticalCount) {
        const [first, ...others] = st.critical;
        const more = st.criticalCount - 1;
        const lines = [esc(first.text)].concat(others.map((c) => esc(c.title)));
        if (more > others.length) lines.push('…');
        out[2] = { topic: 'alert', payload: '<b>Critical: ' + esc(first.title) + (more > 0 ? ' (and ' + more + ' more)' : '') + '</b><br>' + lines.join('<br>') };
    }
    st.changed = 0;
    st.critical = [];
    st.criticalCount = 0;
    flow.set('alerts', st);
    return out;
}

function esc(s) {
    return String(s).replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch]);
}
