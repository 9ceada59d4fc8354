/**
 * /health/live, /health/ready and /metrics for the app.
 *
 * Ready means: every MQTT broker connection (mqtt-broker config nodes and
 * sensor-input MQTT subscriptions) is up and no InfluxDB writer is failing.
 * The JSON detail (component figures, no secrets) is given to loopback
 * callers and to logged-in users; others get the verdict only.
 */
import type { Request, Response, Router } from 'express';
import client from 'prom-client';
import { healthSnapshot, ComponentHealth } from '../nodes/common/health';
import { registry } from '../nodes/common/metrics';
import { asyncRoute } from './http-errors';

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

/** Sums of the app's counters and gauges, by metric name (labels collapsed) plus per-label entries. */
export async function counterSummary(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const metric of await registry.getMetricsAsJSON()) {
    if (!metric.name.startsWith('iot_') || /^iot_(process|nodejs)_/.test(metric.name)) continue;
    let total = 0;
    for (const v of metric.values) {
      total += v.value;
      const labels = Object.entries(v.labels || {}).map(([k, l]) => `${k}=${l}`).join(',');
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
    if (c.kind !== 'influxdb-writer') continue;
    // Spooling because no database is set yet is the designed default, not a failure.
    if (c.figures?.configured === 0) warnings.push(`InfluxDB writer ${id}: ${c.detail}`);
    else reasons.push(`InfluxDB writer ${id}: ${c.detail}`);
  }
  return { status: reasons.length ? 'not ready' : 'ready', reasons, warnings, brokers, components };
}

const isLoopback = (req: Request): boolean => /^(127\.|::1$|::ffff:127\.)/.test(req.socket.remoteAddress || '');

let processMetrics = false;

type Middleware = (req: Request, res: Response, next: () => void) => void;

/** metricsAuth guards /metrics; readyAuth, when given, may set `req.user` so a logged-in caller gets the readiness detail. */
export function healthRoutes(router: Router, view: RuntimeView, opts: { metricsAuth?: Middleware; readyAuth?: Middleware }): void {
  if (!processMetrics) {
    client.collectDefaultMetrics({ register: registry, prefix: 'iot_' });
    processMetrics = true;
  }
  router.get('/health/live', (_req, res) => {
    if (!view.started()) res.status(503).json({ status: 'starting', uptime: process.uptime() });
    else res.json({ status: 'live', uptime: process.uptime() });
  });
  router.get('/health/ready', opts.readyAuth || ((_req, _res, next) => next()), asyncRoute(async (req, res) => {
    const report = readiness(view);
    res.status(report.status === 'ready' ? 200 : 503);
    if (!isLoopback(req) && !(req as Request & { user?: unknown }).user) {
      res.json({ status: report.status });
      return;
    }
    res.json({ ...report, counters: await counterSummary() });
  }));
  const metrics = asyncRoute(async (_req: Request, res: Response): Promise<void> => {
    const body = await registry.metrics();
    res.set('Content-Type', registry.contentType);
    res.send(body);
  });
  if (opts.metricsAuth) router.get('/metrics', opts.metricsAuth, metrics);
  else router.get('/metrics', metrics);
}
