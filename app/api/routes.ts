/**
 * The API's handlers, one per operationId of the OpenAPI document.
 */
import type { Request, Response } from 'express';
import { ValidationError } from '../../nodes/common/errors';
import type { Command } from '../../nodes/common/types';
import { buildRequest } from '../../nodes/influxdb/queries';
import { runQuery } from '../../nodes/influxdb/query-run';
import { InfluxConfigHandle, writeTarget } from '../../nodes/influxdb/config';
import { listRecordings, mediaRoot } from '../../nodes/camera-recorder/media';
import { parseConfig } from '../../nodes/threshold-alert/config';
import { validateRules } from '../../nodes/threshold-alert/rules';
import type { AlertRecord } from '../../nodes/threshold-alert/alert-record';
import { deviceView, FleetDevice, isFleet } from './fleet';
import type { FlowTap } from './events';
import { RuntimeBridge, unavailable } from './runtime';
import { HttpError, RequestParts } from './validate';
import { OPENAPI } from './openapi';
import { buildConfigCommand, CommandPublisher, type ConfigRequest } from './device-commands';
import { buildRelayCommand, type RelayRequest } from './relay-commands';
import { API_OWNER } from './events';
import { loadOverride, rememberOverride } from './rules-file';
import type { AuditLog } from '../audit';
import type { AuditMark } from '../audit-hook';
import type { DeviceRegistry } from '../../nodes/common/device-registry';
import { REGISTRY_HANDLERS } from './registry';

export interface ApiContext {
  bridge: RuntimeBridge;
  tap: FlowTap;
  dataDir: string;
  /** Where Node-RED serves httpNode routes (the recordings), without a trailing slash. */
  nodeRoot: string;
  env: NodeJS.ProcessEnv;
  audit?: AuditLog;
  loginRequired?: boolean;
  /** Publishes configuration commands (unset: no broker known, they answer 503). */
  commands?: CommandPublisher;
  /** The device registry (unset: its routes answer 503). */
  registry?: DeviceRegistry;
}

export interface ApiRequest extends RequestParts {
  /** The login name and role, when logins are configured. */
  user?: string;
  role?: string;
  /** Who acts, for the audit record (the runtime hook records what carries it). */
  who?: AuditMark;
  raw: Request;
}

export type Handler = (ctx: ApiContext, req: ApiRequest, res: Response) => Promise<unknown> | unknown;

type Obj = Record<string, unknown>;

/** A ValidationError of a node (done(err)) as an HTTP error. */
function fromNode(err: Error): HttpError {
  const field = (err as ValidationError).field;
  if (field === 'rateLimitMs') return new HttpError(429, err.message, field);
  if (err instanceof ValidationError || err.name === 'ValidationError') return new HttpError(400, err.message, field);
  return new HttpError(500, err.message);
}

// ---- devices and readings (dashboard fleet state) ----

function fleetDevices(ctx: ApiContext): Map<string, FleetDevice> {
  const defs = ctx.bridge.definitions('function').filter((d) => d.id === 'fn-device-state' || d.name === 'fleet state');
  for (const def of defs) {
    const fleet = ctx.bridge.node(def.id)?.context().flow.get('fleet');
    if (isFleet(fleet)) return fleet.devices as Map<string, FleetDevice>;
    if (fleet === undefined) return new Map(); // deployed, no reading yet
  }
  throw unavailable('the dashboard flow (its "fleet state" function) is not deployed: devices and latest readings come from it');
}

const offlineMs = (ctx: ApiContext): number => {
  const s = Number(ctx.env.OFFLINE_AFTER_S);
  return (Number.isFinite(s) && s > 0 ? s : 120) * 1000;
};

/** A device as the fleet state has it, with its registry fields when it is registered. */
function view(ctx: ApiContext, d: FleetDevice, now: number): Obj {
  const v: Obj = { ...deviceView(d, now, offlineMs(ctx)) };
  const e = ctx.registry?.entry(d.deviceId);
  if (e) for (const f of ['name', 'location', 'type', 'owner'] as const) if (e[f]) v[f] = e[f];
  return v;
}

/** An alert's device with its registry name and location (null when not registered). */
function withDevice<T extends { deviceId: string }>(ctx: ApiContext, a: T): T & { device: Obj } {
  const info = ctx.registry?.get(a.deviceId);
  return { ...a, device: { id: a.deviceId, name: info?.name || null, location: info?.location || null } };
}

function device(ctx: ApiContext, id: string): FleetDevice {
  const d = fleetDevices(ctx).get(id);
  if (!d) throw new HttpError(404, `no device ${id} (devices appear once they send a reading)`, 'id');
  return d;
}

// ---- InfluxDB ----

async function query(ctx: ApiContext, req: RequestParts, mode: 'raw' | 'aggregate'): Promise<unknown> {
  const q = req.query;
  const time = (v: unknown) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v);
  let request;
  try {
    request = buildRequest({
      mode,
      deviceId: req.params.id,
      metric: q.metric,
      measurement: q.measurement,
      start: time(q.start),
      stop: time(q.stop),
      limit: q.limit,
      interval: q.interval,
      fns: q.fn,
    });
  } catch (err) {
    throw fromNode(err as Error);
  }
  const configs = ctx.bridge.nodes('iot-influxdb-config');
  if (!configs.length) throw unavailable('no InfluxDB configuration node (iot-influxdb-config) is deployed');
  const handle = configs[0].node as unknown as InfluxConfigHandle;
  if (!handle.influx) throw unavailable(`the InfluxDB configuration is invalid: ${handle.configError || 'unknown error'}`);
  if (!handle.influx.url) throw unavailable('no database configured (INFLUX_URL is empty)');
  const target = writeTarget(handle.influx, handle.resolvedCredentials(), { gzip: false, timeoutMs: 10_000 });
  try {
    return (await runQuery(target, request)).rows;
  } catch (err) {
    throw new HttpError(502, `query failed: ${(err as Error).message}`);
  }
}

// ---- alerts and rules (threshold-alert nodes) ----

type Listing = { active: Array<AlertRecord & { node: string }>; history: unknown[] };

function alerts(ctx: ApiContext): Listing {
  const nodes = ctx.bridge.nodes('threshold-alert');
  if (!nodes.length) throw unavailable('no threshold-alert node is deployed');
  const out: Listing = { active: [], history: [] };
  for (const { node } of nodes) {
    const msg: Obj = { topic: 'list', payload: {} };
    const r = ctx.bridge.deliver(node, msg, (m) => m === msg);
    if (r.error) throw fromNode(r.error);
    const list = r.kept[0]?.payload as { active?: AlertRecord[]; history?: unknown[] } | undefined;
    for (const a of list?.active || []) out.active.push({ ...a, node: node.id });
    for (const h of list?.history || []) out.history.push(h);
  }
  return out;
}

/** ALERT_ACTION_TIMEOUT_S: how long an ack or resolve may take to settle (Redis, scale-out) before a 504; default 10. */
export function actionTimeoutMs(env: NodeJS.ProcessEnv): number {
  const s = Number(env.ALERT_ACTION_TIMEOUT_S);
  return (Number.isFinite(s) && s > 0 ? s : 10) * 1000;
}

async function act(ctx: ApiContext, req: ApiRequest, action: 'ack' | 'resolve'): Promise<unknown> {
  const id = req.params.id as string;
  const body = (req.body || {}) as { by?: string; reason?: string };
  const by = body.by || req.user;
  if (!by) throw new HttpError(400, 'by is required (who acts; it defaults to the login name when a login is configured)', 'by');
  const found = alerts(ctx).active.find((a) => a.id === id);
  if (!found) throw new HttpError(404, `no active alert ${id}`, 'id');
  const node = ctx.bridge.node(found.node);
  if (!node) throw unavailable(`threshold-alert node ${found.node} stopped`);
  // With REDIS_URL the node settles the action in Redis before done(): a 200 means it holds cluster-wide.
  const timeoutMs = actionTimeoutMs(ctx.env);
  const r = await ctx.bridge.deliverSettled(node, { topic: action, payload: { alertId: id, by, reason: body.reason }, _audit: req.who }, timeoutMs);
  if (!r.settled) {
    throw new HttpError(
      504,
      `the ${action} of ${id} was not settled within ${timeoutMs / 1000} s: the shared alert state (Redis) does not answer; it stays queued on this instance and takes effect once Redis answers`,
    );
  }
  if (r.error) {
    const e = fromNode(r.error);
    throw e.status === 400 && e.field === 'alertId' ? new HttpError(409, e.message, 'id') : e;
  }
  if (action === 'resolve') return { ...found, state: 'resolved', resolvedBy: by, reason: body.reason };
  return alerts(ctx).active.find((a) => a.id === id) || found;
}

function configOf(ctx: ApiContext, id: string): ReturnType<typeof parseConfig> {
  const def = ctx.bridge.definitions('threshold-alert').find((d) => d.id === id);
  if (!def) throw new HttpError(404, `no threshold-alert node ${id}`, 'node');
  try {
    return parseConfig(def);
  } catch (err) {
    throw unavailable(`threshold-alert node ${id} has invalid settings: ${(err as Error).message}`);
  }
}

function rulesOf(ctx: ApiContext, id: string): unknown[] {
  const cfg = configOf(ctx, id);
  return loadOverride(ctx.dataDir, id, cfg.rulesHash) || cfg.rules;
}

// ---- commands (servo-command in server mode) ----

function servo(ctx: ApiContext, deviceId: string, request: Obj, who?: AuditMark): Command {
  const nodes = ctx.bridge.nodes('servo-command', (d) => d.mode === 'server' && (!d.deviceId || d.deviceId === deviceId));
  if (!nodes.length) throw unavailable(`no servo-command node in server mode for ${deviceId} is deployed`);
  const msg: Obj = { deviceId, payload: request, _audit: who };
  const r = ctx.bridge.deliver(nodes[0].node, msg);
  if (r.error) throw fromNode(r.error);
  const command = msg.payload as Command;
  if (!r.settled || !command || typeof command.id !== 'string') throw new HttpError(500, 'the servo-command node did not answer');
  ctx.tap.track(command, nodes[0].node.id);
  return command;
}

/** set_interval / set_config: published by the API itself, followed through the device's acks. */
async function configCommand(ctx: ApiContext, deviceId: string, body: ConfigRequest, res: Response, who?: AuditMark): Promise<Command> {
  const out = buildConfigCommand(deviceId, body);
  if (!ctx.commands) throw unavailable('no MQTT broker is configured for commands');
  await ctx.commands.publish(out.topic, out.payload);
  // No node sees these (the API publishes them), so the API records them itself.
  if (who) ctx.audit?.record({ ...who, action: 'command', target: deviceId, detail: body.type, outcome: 'accepted' });
  const command = { ...out.command, status: 'sent', topic: out.topic } as Command;
  ctx.tap.track(command, API_OWNER);
  res.status(202);
  return command;
}

/** Relays (Tasmota, Shelly, ESPHome, Zigbee2MQTT): published by the API, executed when the device's state shows it. */
async function relayCommand(ctx: ApiContext, deviceId: string, body: RelayRequest, res: Response, who?: AuditMark): Promise<Command> {
  let known: FleetDevice | undefined;
  try {
    known = fleetDevices(ctx).get(deviceId);
  } catch {
    /* no dashboard flow: a TOGGLE then takes any state as its answer */
  }
  const latest = known ? deviceView(known, 0, 0).metrics : {};
  const out = buildRelayCommand(deviceId, body, Date.now(), (m) => latest[m]?.value);
  if (!ctx.commands) throw unavailable('no MQTT broker is configured for commands');
  await ctx.commands.publish(out.topic, out.payload);
  if (who)
    ctx.audit?.record({
      ...who,
      action: 'command',
      target: deviceId,
      detail: `relay ${String(out.command.params.state)} (${body.firmware})`,
      outcome: 'accepted',
    });
  const command = { ...out.command, status: 'sent', topic: out.topic } as Command;
  ctx.tap.expectState(command, out.expect);
  res.status(202);
  return command;
}

export const HANDLERS: Record<string, Handler> = {
  openapi: () => OPENAPI,
  listDevices: (ctx) => {
    const now = Date.now();
    return [...fleetDevices(ctx).values()].map((d) => view(ctx, d, now));
  },
  getDevice: (ctx, req) => view(ctx, device(ctx, req.params.id as string), Date.now()),
  latestReadings: (ctx) => {
    const out: Obj = {};
    for (const d of fleetDevices(ctx).values()) out[d.deviceId] = deviceView(d, 0, 0).metrics;
    return out;
  },
  deviceLatest: (ctx, req) => deviceView(device(ctx, req.params.id as string), 0, 0).metrics,
  deviceRange: (ctx, req) => query(ctx, req, 'raw'),
  deviceAggregate: (ctx, req) => query(ctx, req, 'aggregate'),
  listAlerts: (ctx, req) => {
    const list = alerts(ctx);
    const active = (req.query.state ? list.active.filter((a) => a.state === req.query.state) : list.active).map((a) => withDevice(ctx, a));
    return { ...list, active };
  },
  ackAlert: (ctx, req) => act(ctx, req, 'ack'),
  resolveAlert: (ctx, req) => act(ctx, req, 'resolve'),
  getRules: (ctx) => {
    const defs = ctx.bridge.definitions('threshold-alert');
    if (!defs.length) throw unavailable('no threshold-alert node is deployed');
    return Object.fromEntries(defs.map((d) => [d.id, rulesOf(ctx, d.id)]));
  },
  getNodeRules: (ctx, req) => rulesOf(ctx, req.params.node as string),
  putNodeRules: (ctx, req) => {
    const id = req.params.node as string;
    const cfg = configOf(ctx, id); // 404 for an unknown node
    const node = ctx.bridge.node(id);
    if (!node) throw unavailable(`threshold-alert node ${id} is not running`);
    const r = ctx.bridge.deliver(node, { topic: 'rules', payload: req.body, _audit: req.who });
    if (r.error) throw fromNode(r.error);
    const rules = validateRules(req.body);
    rememberOverride(id, cfg.rulesHash, rules);
    return rules;
  },
  cameraServo: (ctx, req, res) => {
    res.status(202);
    return servo(ctx, req.params.id as string, req.body as Obj, req.who);
  },
  deviceCommand: async (ctx, req, res) => {
    const body = req.body as { type: string; params?: Obj };
    if (body.type === 'relay') return relayCommand(ctx, req.params.id as string, body as RelayRequest, res, req.who);
    if (body.type !== 'servo') return configCommand(ctx, req.params.id as string, body as ConfigRequest, res, req.who);
    if (!body.params) throw new HttpError(400, 'params is required for a servo command ({"direction":"left"}, {"angle":90} or {"action":"sweep"})', 'params');
    res.status(202);
    return servo(ctx, req.params.id as string, body.params, req.who);
  },
  listDeviceCommands: (ctx, req) => {
    ctx.tap.refresh();
    const id = req.params.id as string;
    const limit = Number(req.query.limit ?? 20);
    const out: Command[] = [];
    for (const c of ctx.tap.commands.values()) if (c.deviceId === id) out.push({ ...c });
    return out.reverse().slice(0, limit);
  },
  getCommand: (ctx, req) => {
    ctx.tap.refresh();
    const c = ctx.tap.commands.get(req.params.id as string);
    if (!c) throw new HttpError(404, `no command ${req.params.id as string} (only commands sent through this API are followed)`, 'id');
    return c;
  },
  me: (ctx, req) => ({ username: req.user ?? null, role: req.role ?? (ctx.loginRequired ? null : 'admin'), loginRequired: Boolean(ctx.loginRequired) }),
  listAudit: (ctx, req) => {
    if (!ctx.audit) throw unavailable('no audit record in this process (it is kept by the app, npm start)');
    return ctx.audit.list(Number(req.query.limit ?? 100), { action: req.query.action as string | undefined, user: req.query.user as string | undefined });
  },
  listRecordings: (ctx, req) => {
    const camera = req.query.camera as string | undefined;
    const base = `${ctx.nodeRoot}/recordings`;
    return listRecordings(mediaRoot(ctx.dataDir), camera).map((e) => ({
      camera: e.camera,
      file: e.file,
      size: e.size,
      mtime: new Date(e.mtimeMs).toISOString(),
      url: `${base}/${e.camera}/${e.file}`,
      thumbnailUrl: e.thumbnail ? `${base}/${e.camera}/${e.thumbnail}` : undefined,
    }));
  },
  ...REGISTRY_HANDLERS,
};
