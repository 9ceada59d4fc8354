// Command status for the servo panel: the last commands, newest first, from
// servo-command's status output (msg.payload Command) and local requests.
const list = flow.get('servoCommands') || [];
const devices = flow.get('servoDevices') || [];
for (const id of String(env.get('SERVO_DEVICES') || 'raspberry-01').split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!devices.includes(id)) devices.push(id);
}
flow.set('servoDevices', devices);
const c = msg.payload;
if (msg.topic === 'init') return { topic: 'servo', payload: { commands: list, devices: devices } };
if (!c || typeof c !== 'object' || typeof c.deviceId !== 'string') return null;
const params = c.params && typeof c.params === 'object' ? c.params : {};
let action = String(c.action || '');
if (params.direction) action = 'move ' + params.direction;
else if (params.angle !== undefined) action = 'angle ' + params.angle;
const entry = {
    id: String(c.id || ''),
    deviceId: c.deviceId,
    action: action,
    status: String(c.status || 'unknown'),
    error: msg.reason || c.error ? String(msg.reason || c.error).slice(0, 200) : undefined,
    at: Date.now(),
};
// A real command replaces the newest local "requested" placeholder of the same device.
let i = list.findIndex((e) => e.id === entry.id && entry.id !== '');
if (i < 0 && !entry.id.startsWith('local-')) i = list.findIndex((e) => e.id.startsWith('local-') && e.deviceId === entry.deviceId);
if (i >= 0) list.splice(i, 1);
list.unshift(entry);
list.length = Math.min(list.length, 10);
flow.set('servoCommands', list);
if (!devices.includes(c.deviceId)) { devices.push(c.deviceId); flow.set('servoDevices', devices); }
return { topic: 'servo', payload: { commands: list, devices: devices } };
