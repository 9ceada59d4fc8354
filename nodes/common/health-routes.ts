/**
 * /health/live, /health/ready and /metrics: one implementation, mounted by the
 * package on Node-RED's admin server (health-plugin.ts) and by the launcher
 * on its own server before Node-RED starts.
 *
 * Ready means: every MQTT broker connection (mqtt-broker config nodes and
 * sensor-input MQTT subscriptions) is up, no InfluxDB writer is failing and,
 * with REDIS_URL set (scale-out), the Redis connection is up.
 * The JSON detail (component figures, no secrets) is given to loopback
 * callers and to logged-in users; others get the verdict only.
 */
import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import client from 'prom-client';
import { healthSnapshot, ComponentHealth } from './health';
import { registry } from './metrics';

export interface RuntimeView {
  /** False until Node-RED has started its flows (the runtime's node registry must not be asked before). */
  started(): boolean;
  /** State of each mqtt-broker config node: id -> connected. */
  brokers(): Record<string, boolean>;
}

export interface ReadyReport {
  /** `starting` until the flows are loaded (503, like `not ready`). */
  status: 'starting' | 'ready' | 'not ready';
  reasons: string[];
  /** Not failures, but worth a look (e.g. no database configured: readings are being spooled). */
  warnings: string[];
  brokers?: Record<string, boolean>;
  components?: Record<string, ComponentHealth>;
  counters?: Record<string, number>;
}

/** The part of Node-RED's `RED.nodes` that brokerStates reads. */
export interface NodeRegistryView {
  eachNode(cb: (n: { id: string; type: string }) => void): void;
  getNode(id: string): unknown;
}

/** Connection state of the mqtt-broker config nodes that have users of their own. */
export function brokerStates(nodes: NodeRegistryView): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  nodes.eachNode((n) => {
    if (n.type !== 'mqtt-broker') return;
    const broker = nodes.getNode(n.id) as { connected?: boolean; users?: object } | null;
    // A broker config node connects only for its mqtt nodes; one that only lends its
    // settings (to sensor-input's MQTT mode, which reports its own connection) has none.
    if (broker?.users && Object.keys(broker.users).length === 0) return;
    out[n.id] = Boolean(broker?.connected);
  });
  return out;
}

/** Sums of the app's counters and gauges, by metric name (labels collapsed) plus per-label entries. */
export async function counterSummary(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const metric of await registry.getMetricsAsJSON()) {
    if (!metric.name.startsWith('iot_') || /^iot_(process|nodejs)_/.test(metric.name)) continue;
    let total = 0;
    for (const v of metric.values) {
      total += v.value;
      const labels = Object.entries(v.labels || {})
        .map(([k, l]) => `${k}=${l}`)
        .join(',');
      if (labels) out[`${metric.name}{${labels}}`] = v.value;
    }
    out[metric.name] = total;
  }
  return out;
}

export function readiness(view: RuntimeView): ReadyReport {
  if (!view.started()) return { status: 'starting', reasons: ['flows not started yet'], warnings: [] };
  const reasons: string[] = [];
  let brokers: Record<string, boolean> = {};
  try {
    brokers = view.brokers();
  } catch (err) {
    reasons.push(`runtime not available: ${(err as Error).message}`);
  }
  for (const [id, up] of Object.entries(brokers)) if (!up) reasons.push(`MQTT broker ${id} not connected`);
  const components = healthSnapshot();
  const warnings: string[] = [];
  for (const [id, c] of Object.entries(components)) {
    if (c.ok) continue;
    if (c.kind === 'mqtt-input') reasons.push(`MQTT input ${id}: ${c.detail}`);
    if (c.kind === 'redis') reasons.push(`Redis (shared state): ${c.detail}`);
    if (c.kind !== 'influxdb-writer') continue;
    // Spooling because no database is set yet is the designed default, not a failure.
    if (c.figures?.configured === 0) warnings.push(`InfluxDB writer ${id}: ${c.detail}`);
    else reasons.push(`InfluxDB writer ${id}: ${c.detail}`);
  }
  return { status: reasons.length ? 'not ready' : 'ready', reasons, warnings, brokers, components };
}

const isLoopback = (req: Request): boolean => /^(127\.|::1$|::ffff:127\.)/.test(req.socket.remoteAddress || '');

/** A throw or a rejection goes to `next(err)`: no request may end the process. */
const safe =
  (handler: (req: Request, res: Response) => Promise<void>): RequestHandler =>
  (req, res, next) => {
    handler(req, res).catch(next);
  };

type Middleware = (req: Request, res: Response, next: NextFunction) => void;

export interface HealthRouteOptions {
  /** Guards /metrics, and /health/ready's detail when the request carries credentials. */
  auth?: Middleware;
  /** Replaces `auth` on /health/ready: takes credentials when sent (setting `req.user`), never challenges. */
  readyAuth?: Middleware;
}

let processMetrics = false;

export function healthRoutes(router: Router, view: RuntimeView, opts: HealthRouteOptions = {}): void {
  if (!processMetrics) {
    client.collectDefaultMetrics({ register: registry, prefix: 'iot_' });
    processMetrics = true;
  }
  const auth = opts.auth;
  router.get('/health/live', (_req, res) => {
    if (!view.started()) res.status(503).json({ status: 'starting', uptime: process.uptime() });
    else res.json({ status: 'live', uptime: process.uptime() });
  });
  // Anonymous probes get the verdict; a caller with credentials is checked, then gets the detail.
  const credentialsChecked: Middleware = opts.readyAuth ?? ((req, res, next) => (auth && req.headers.authorization ? auth(req, res, next) : next()));
  router.get(
    '/health/ready',
    credentialsChecked,
    safe(async (req, res) => {
      const report = readiness(view);
      res.status(report.status === 'ready' ? 200 : 503);
      const authenticated = Boolean((req as Request & { user?: unknown }).user) || Boolean(!opts.readyAuth && auth && req.headers.authorization);
      if (!isLoopback(req) && !authenticated) {
        res.json({ status: report.status });
        return;
      }
      res.json({ ...report, counters: await counterSummary() });
    }),
  );
  const metrics = safe(async (_req, res) => {
    const body = await registry.metrics();
    res.set('Content-Type', registry.contentType);
    res.send(body);
  });
  if (auth) router.get('/metrics', auth, metrics);
  else router.get('/metrics', metrics);
}
