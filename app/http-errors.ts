/**
 * No request may end the process: async route handlers hand their errors to
 * express (a rejected promise would otherwise be an unhandled rejection, which
 * ends Node), and one error handler, installed after every route, turns them
 * into a 500.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { redact } from '../nodes/common/redact';

/** Wraps an async handler so a throw or a rejection goes to `next(err)`. */
export function asyncRoute(handler: (req: Request, res: Response, next: NextFunction) => Promise<void>): RequestHandler {
  return (req, res, next) => {
    handler(req, res, next).catch(next);
  };
}

/** The app's last middleware: logs the error and answers 500 (or ends a response already started). */
export function errorHandler(log: (line: string) => void = (l) => console.error(l)) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const message = err instanceof Error ? err.stack || err.message : String(err);
    log(redact(`[app] ${req.method} ${req.originalUrl || req.url} failed: ${message}`));
    const status = Number((err as { status?: unknown })?.status);
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(status >= 400 && status < 600 ? status : 500).json({ error: status >= 400 && status < 500 ? redact(err) : 'internal error' });
  };
}
