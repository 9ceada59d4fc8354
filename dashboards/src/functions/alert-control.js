// Acknowledge / resolve requests from the Alerts page, checked before they go
// to threshold-alert (which checks again and records who and why).
const p = msg.payload || {};
const action = p.action;
if (action !== 'ack' && action !== 'resolve') {
    node.warn('alert control: action must be ack or resolve, got ' + JSON.stringify(action));
    return null;
}
if (typeof p.alertId !== 'string' || p.alertId === '') {
    node.warn('alert control: alertId is required');
    return null;
}
const by = String(p.by || '').trim().slice(0, 80);
if (!by) {
    node.warn('alert control: "by" (who) is required');
    return null;
}
const reason = String(p.reason || '').trim().slice(0, 500);
return { topic: action, payload: { action: action, alertId: p.alertId, by: by, reason: reason || undefined }, _client: msg._client };
