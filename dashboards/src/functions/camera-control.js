// "Record now" from the Cameras page -> camera-recorder ({action: 'start'}).
// Output 1: the request; output 2: a status line back to the page.
const p = msg.payload || {};
const cameraId = String(p.cameraId || '').trim();
if (cameraId && !/^[A-Za-z0-9_.-]{1,64}$/.test(cameraId)) {
    node.warn('camera control: invalid cameraId ' + JSON.stringify(p.cameraId));
    return null;
}
const duration = Number(p.duration);
const request = {
    topic: 'record' + (cameraId ? '/' + cameraId : ''),
    cameraId: cameraId || undefined,
    payload: { action: 'start', cameraId: cameraId || undefined, duration: Number.isFinite(duration) && duration > 0 ? duration : undefined, source: 'dashboard' },
    // The dashboard socket: the app checks the user's role and records who sent it.
    _client: msg._client,
};
const status = { topic: 'camera-status', payload: { status: 'Record request sent' + (cameraId ? ' to ' + cameraId : '') + ' at ' + new Date().toLocaleTimeString() } };
return [request, status];
