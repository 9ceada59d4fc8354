// Servo buttons and the angle slider -> servo-command ({deviceId, direction} or
// {deviceId, angle}). Output 1: the command request; output 2: a local
// "requested" entry so the page shows feedback before the device answers.
const p = msg.payload || {};
const deviceId = String(p.deviceId || '').trim();
if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(deviceId)) {
    node.warn('servo control: deviceId is missing or invalid: ' + JSON.stringify(p.deviceId));
    return null;
}
const out = { deviceId: deviceId };
if (['left', 'center', 'right'].includes(p.direction)) {
    out.direction = p.direction;
} else if (p.angle !== undefined && p.angle !== '' && Number.isFinite(Number(p.angle))) {
    out.angle = Math.max(0, Math.min(180, Math.round(Number(p.angle))));
} else {
    node.warn('servo control: need direction left|center|right or an angle 0-180');
    return null;
}
out.source = 'dashboard';
const requested = {
    topic: 'requested',
    payload: { id: 'local-' + Date.now(), deviceId: deviceId, action: out.direction ? 'move ' + out.direction : 'angle ' + out.angle, status: 'requested', createdAt: Date.now() },
};
// _client (the dashboard socket) goes along: the app checks the user's role and records who sent it.
return [{ topic: 'servo/' + deviceId, payload: out, _client: msg._client }, requested];
