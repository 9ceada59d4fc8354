/**
 * The HTTP API under /api (docs/api.md): routes from the OpenAPI document,
 * behind the dashboard's login (viewers may read, not change), JSON errors
 * with the field named.
 */
import type { NextFunction, Request, Response, Router } from 'express';
import { basicAuth, AuthedRequest } from '../basic-auth';
import type { AuthGate } from '../auth/gate';
import type { AuditLog } from '../audit';
import type { AuditMark } from '../audit-hook';
import { EventType, FlowTap, TapOptions } from './events';
import { HANDLERS, ApiContext } from './routes';
import { Method, OPENAPI } from './openapi';
import { Runtime, RuntimeBridge } from './runtime';
import { eventStream } from './stream';
import { CommandPublisher, type PublisherOptions } from './device-commands';
import { HttpError, validator } from './validate';
import type { DeviceRegistry } from '../../nodes/common/device-registry';

export interface ApiOptions {
  red: Runtime;
  gate: AuthGate;
  dataDir: string;
  nodeRoot?: string;
  started: () => boolean;
  tap?: Partial<TapOptions>;
  /** The audit record (GET /api/audit); without one nothing is recorded. */
  audit?: AuditLog;
  /** The broker for configuration commands (set_interval, set_config). */
  mqtt?: PublisherOptions;
  /** The device registry (names, locations); without one its routes answer 503. */
  registry?: DeviceRegistry;
}

/** Body size of a registry import (a file of some 50,000 devices); other routes take 256 kB. */
export const IMPORT_LIMIT = '32mb';
const CSV_TYPE = /^\s*(text|application)\/(csv|comma-separated-values)\b/i;

/** Builds the /api router (express is passed in: the app loads it lazily). */
export function apiRouter(
  express: { Router(): Router; text(o: object): (req: Request, res: Response, next: NextFunction) => void },
  opts: ApiOptions,
): { router: Router; tap: FlowTap; close(): Promise<void> } {
  const tap = new FlowTap(opts.red, opts.tap);
  const commands = opts.mqtt ? new CommandPublisher(opts.mqtt, (ack) => tap.acknowledge(ack)) : undefined;
  const ctx: ApiContext = {
    bridge: new RuntimeBridge(opts.red, opts.started),
    tap,
    dataDir: opts.dataDir,
    nodeRoot: (opts.nodeRoot || '/').replace(/\/$/, ''),
    env: process.env,
    audit: opts.audit,
    loginRequired: opts.gate.enabled,
    commands,
    registry: opts.registry,
  };
  const router = express.Router();
  if (opts.gate.enabled) router.use(basicAuth(opts.gate));
  // Any content type is read as JSON (the seed's `curl -d '{...}'` sends it as form data), but CSV, kept as text.
  router.use('/registry/import', express.text({ type: () => true, limit: IMPORT_LIMIT }));
  router.use(express.text({ type: () => true, limit: '256kb' }));
  router.use((req: Request, _res: Response, next: NextFunction) => {
    const text = typeof req.body === 'string' ? req.body.trim() : '';
    if (!text) req.body = undefined;
    else if (CSV_TYPE.test(String(req.headers['content-type'] || ''))) req.body = text;
    else {
      try {
        req.body = JSON.parse(text);
      } catch (err) {
        return next(new HttpError(400, `body is not valid JSON: ${(err as Error).message}`, 'body'));
      }
    }
    next();
  });

  for (const [p, ops] of Object.entries(OPENAPI.paths)) {
    const route = p.replace(/\{(\w+)\}/g, ':$1');
    for (const [method, op] of Object.entries(ops) as Array<[Method, NonNullable<(typeof ops)[Method]>]>) {
      const check = validator(op);
      const handler = HANDLERS[op.operationId];
      router[method](route, (req: Request, res: Response, next: NextFunction) => {
        try {
          const user = (req as AuthedRequest).user;
          if (op['x-write'] && user && user.role !== 'admin' && user.role !== 'operator')
            throw new HttpError(403, `${user.username} may read, not change (role ${user.role}); an operator or admin login is needed`);
          const parts = { params: { ...req.params }, query: { ...(req.query as Record<string, unknown>) }, body: req.body as unknown };
          check(parts);
          if (op.operationId === 'eventStream') {
            const types = typeof parts.query.types === 'string' ? new Set(parts.query.types.split(',') as EventType[]) : undefined;
            eventStream(tap, req, res, types);
            return;
          }
          const body = parts.body as { by?: unknown } | undefined;
          const who: AuditMark = user
            ? { user: user.username, role: user.role, from: req.socket.remoteAddress || 'unknown' }
            : { user: typeof body?.by === 'string' && body.by ? body.by : 'anonymous', role: 'none', from: req.socket.remoteAddress || 'unknown' };
          Promise.resolve(handler(ctx, { ...parts, user: user?.username, role: user?.role, who, raw: req }, res)).then((out) => {
            if (!res.headersSent) res.json(out);
          }, next);
        } catch (err) {
          next(err);
        }
      });
    }
  }
  router.use((req: Request, _res: Response, next: NextFunction) =>
    next(new HttpError(404, `no API route ${req.method} ${req.baseUrl}${req.path} (see /api/openapi.json)`)),
  );
  router.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (!(err instanceof HttpError) && (err as { type?: string }).type !== 'entity.too.large') return next(err);
    if (res.headersSent) return void res.end();
    const limit = Number((err as { limit?: unknown }).limit) || 256 * 1024;
    const e =
      err instanceof HttpError
        ? err
        : new HttpError(413, `body larger than ${limit >= 1024 * 1024 ? `${limit / 1024 / 1024} MB` : `${limit / 1024} kB`}`, 'body');
    res.status(e.status).json(e.field ? { error: e.message, field: e.field } : { error: e.message });
  });
  return {
    router,
    tap,
    close: async () => {
      tap.close();
      await commands?.close();
    },
  };
}
