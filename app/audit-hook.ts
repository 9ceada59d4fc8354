/**
 * Control at the node boundary: a runtime `onReceive` hook sees every ack,
 * resolve, arm and rules message reaching a threshold-alert node and every
 * command the dashboard or the API gives a servo-command or camera-recorder
 * node. It records them in the audit log, and it enforces roles for the
 * dashboard: a message from a dashboard socket carries its user (the socket's
 * login, dashboardSessions), and a viewer's, or one from a socket with no
 * login, is stopped here. The API checks roles itself (403) and marks what it
 * delivers with `msg._audit`. Control over the embedded broker is recorded by
 * the broker, which knows the client; through an external broker the
 * publisher is unknown (`mqtt`).
 */
import type { AuditAction, AuditLog } from './audit';
import type { DashboardSession } from './auth';

type Obj = Record<string, unknown>;
export interface ReceiveEvent {
  msg: Obj;
  destination: { id: string; node?: { type?: string; id?: string } };
}
/** What the API puts on a message it delivers. */
export interface AuditMark {
  user: string;
  role: string;
  from: string;
}

export interface AuditHookOptions {
  audit: AuditLog;
  sessions: Map<string, DashboardSession>;
  /** Logins are configured: dashboard control needs an operator or admin. */
  loginRequired: boolean;
  /** The embedded broker runs and records MQTT control itself. */
  brokerRecords: boolean;
}

const ALERT_ACTIONS = new Set(['ack', 'resolve', 'arm', 'rules']);

/** What a message asks for, or undefined when it is no control (readings, acks, timers...). */
export function controlOf(
  type: string | undefined,
  msg: Obj,
  nodeId: string,
): { action: AuditAction; target: string; detail?: string; fromUi: boolean } | undefined {
  const p = (msg.payload && typeof msg.payload === 'object' ? msg.payload : {}) as Obj;
  const fromUi = Boolean(msg._client) || Boolean(msg._audit);
  if (type === 'threshold-alert') {
    const topic = String(msg.topic || '');
    if (!ALERT_ACTIONS.has(topic)) return undefined;
    if (topic === 'rules') return { action: 'rules', target: nodeId, detail: Array.isArray(msg.payload) ? `${msg.payload.length} rules` : 'rules', fromUi };
    if (topic === 'arm') return { action: 'arm', target: String(p.deviceId || p.ruleId || nodeId), detail: JSON.stringify(msg.payload).slice(0, 300), fromUi };
    return { action: topic as AuditAction, target: String(p.alertId || ''), detail: typeof p.reason === 'string' ? p.reason : undefined, fromUi };
  }
  // Servo and camera nodes also take device acks and motion: only what a person sent counts.
  if (!fromUi) return undefined;
  if (type === 'servo-command') {
    const target = String(msg.deviceId || p.deviceId || '');
    const what = p.direction !== undefined ? `move ${String(p.direction)}` : p.angle !== undefined ? `angle ${String(p.angle)}` : String(p.action || 'servo');
    return { action: 'command', target, detail: `servo ${what}`, fromUi };
  }
  if (type === 'camera-recorder') return { action: 'record', target: String(p.cameraId || msg.cameraId || nodeId), detail: 'record now', fromUi };
  return undefined;
}

/** The hook body; returns false to stop a message. Exported for tests. */
export function auditReceive(opts: AuditHookOptions, ev: ReceiveEvent): false | undefined {
  const type = ev.destination.node?.type;
  if (type !== 'threshold-alert' && type !== 'servo-command' && type !== 'camera-recorder') return undefined;
  const msg = ev.msg;
  const control = controlOf(type, msg, ev.destination.id);
  if (!control) return undefined;
  const { action, target, detail } = control;
  const client = msg._client as { socketId?: string; socketIp?: string } | undefined;
  const mark = msg._audit as AuditMark | undefined;
  const payload = (msg.payload && typeof msg.payload === 'object' ? msg.payload : undefined) as Obj | undefined;
  if (mark) {
    delete msg._audit;
    opts.audit.record({ ...mark, action, target, detail, outcome: 'accepted' });
    return undefined;
  }
  if (client?.socketId) {
    if (!opts.loginRequired) {
      const by = typeof payload?.by === 'string' && payload.by ? payload.by : 'anonymous';
      opts.audit.record({ user: by, role: 'none', from: client.socketIp || 'dashboard', action, target, detail, outcome: 'accepted' });
      return undefined;
    }
    const s = opts.sessions.get(client.socketId);
    if (!s || (s.role !== 'admin' && s.role !== 'operator')) {
      opts.audit.record({
        user: s?.username || 'unknown',
        role: s?.role || 'none',
        from: s?.address || client.socketIp || 'dashboard',
        action,
        target,
        detail,
        outcome: 'refused',
      });
      return false;
    }
    // The login name is who acted, whatever the page typed.
    if (payload && type === 'threshold-alert') payload.by = s.username;
    opts.audit.record({ user: s.username, role: s.role, from: s.address || client.socketIp || 'dashboard', action, target, detail, outcome: 'accepted' });
    return undefined;
  }
  if (opts.brokerRecords) return undefined;
  opts.audit.record({ user: typeof payload?.by === 'string' ? payload.by : 'unknown', role: '', from: 'mqtt', action, target, detail, outcome: 'accepted' });
  return undefined;
}

/** Installs the hook on the runtime (RED.hooks). */
export function installAuditHook(hooks: { add(name: string, fn: (ev: never) => unknown): void }, opts: AuditHookOptions): void {
  hooks.add('onReceive.iot-audit', ((ev: ReceiveEvent) => auditReceive(opts, ev)) as never);
}

/** The audit entry of a control publish on the embedded broker. */
export function brokerEntry(ev: {
  clientId: string;
  username?: string;
  role: string;
  topic: string;
  payload: Buffer;
  allowed: boolean;
}): Parameters<AuditLog['record']>[0] {
  const text = ev.payload.subarray(0, 2000).toString('utf8');
  let p: Obj = {};
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) p = v as Obj;
  } catch {
    /* not JSON: the detail shows the text */
  }
  const parts = ev.topic.split('/');
  const base = {
    user: ev.username || 'anonymous',
    role: ev.role,
    from: `mqtt:${ev.clientId}`,
    outcome: ev.allowed ? ('accepted' as const) : ('refused' as const),
  };
  if (parts[0] === 'commands') return { ...base, action: 'command', target: parts[1], detail: `${parts[2]} ${text.slice(0, 300)}` };
  const action = parts[2] as AuditAction;
  if (action === 'ack' || action === 'resolve')
    return { ...base, action, target: String(p.alertId || p.id || ''), detail: typeof p.reason === 'string' ? p.reason : undefined };
  if (action === 'rules') {
    let n = '?';
    try {
      const v = JSON.parse(text) as unknown;
      n = Array.isArray(v) ? String(v.length) : Array.isArray((v as Obj)?.rules) ? String(((v as Obj).rules as unknown[]).length) : '?';
    } catch {
      /* counted as ? */
    }
    return { ...base, action, target: 'rules', detail: `${n} rules` };
  }
  return { ...base, action, target: String(p.deviceId || p.ruleId || ''), detail: text.slice(0, 300) };
}
