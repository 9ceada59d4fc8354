// Alert state for the Alerts page. Input: threshold-alert output 1, either a
// transition (msg.payload Alert, msg.event) or a list answer
// ({payload: {active, history}}). Output 1: state for the alert widgets;
// output 2: a notification for a newly fired critical alert.
const p = msg.payload;
if (!p || typeof p !== 'object') return null;
const HISTORY_MAX = 500;
const state = flow.get('alerts') || { active: [], history: [], at: 0 };
let notify = null;
if (Array.isArray(p.active)) {
    state.active = p.active;
    state.history = Array.isArray(p.history) ? p.history.slice(-HISTORY_MAX) : state.history;
} else if (typeof p.id === 'string' && typeof p.state === 'string') {
    const i = state.active.findIndex((a) => a.id === p.id);
    if (p.state === 'resolved') {
        if (i >= 0) state.active.splice(i, 1);
    } else if (i >= 0) {
        state.active[i] = Object.assign({}, state.active[i], p);
    } else {
        state.active.push(p);
    }
    const event = msg.event || p.state;
    if (event !== 'repeated') {
        state.history.push({
            at: p.since || Date.now(), event: event, alertId: p.id, ruleId: p.ruleId, deviceId: p.deviceId,
            severity: p.severity, value: p.value === undefined ? null : p.value,
            by: msg.by || p.acknowledgedBy || p.resolvedBy, reason: msg.reason || p.reason,
        });
        if (state.history.length > HISTORY_MAX) state.history.splice(0, state.history.length - HISTORY_MAX);
    }
    if (event === 'fired' && p.severity === 'critical') {
        notify = { payload: '<b>Critical: ' + esc(p.title || p.ruleId) + '</b><br>' + esc(p.text || ''), topic: 'alert', alertId: p.id };
    }
} else {
    return null;
}
state.at = Date.now();
flow.set('alerts', state);
return [{ topic: 'alerts', payload: state }, notify];

function esc(s) {
    return String(s).replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch]);
}
