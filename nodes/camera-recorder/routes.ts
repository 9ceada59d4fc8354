/**
 * HTTP routes for the dashboard, registered on RED.httpNode so they sit behind
 * httpNodeAuth like the dashboard:
 *   GET /recordings[?camera=id]        JSON list, newest first
 *   GET /recordings/<camera>/<file>    the video (Range supported) or its .jpg thumbnail
 */
import type { IncomingMessage, ServerResponse } from 'http';
import path from 'path';
import { CAMERA_RE, listRecordings, MediaPathError, NAME_RE, resolveMedia } from './media';

type Req = IncomingMessage & { params: Record<string, string>; query: Record<string, unknown>; baseUrl?: string };
type Res = ServerResponse & {
  json(body: unknown): void;
  status(code: number): Res;
  sendFile(name: string, opts: Record<string, unknown>, cb: (err?: Error & { status?: number }) => void): void;
};
export interface RouteApp {
  get(path: string, handler: (req: Req, res: Res) => void): unknown;
}

const registered = new WeakSet<object>();

/** Registers the routes once per app; `root` returns the media folder. */
export function registerRoutes(app: RouteApp, root: () => string): boolean {
  if (!app || typeof app.get !== 'function' || registered.has(app)) return false;
  registered.add(app);
  app.get('/recordings', (req, res) => {
    const camera = typeof req.query?.camera === 'string' ? req.query.camera : undefined;
    if (camera !== undefined && !CAMERA_RE.test(camera)) {
      res.status(400).json({ error: 'invalid camera id' });
      return;
    }
    const base = `${req.baseUrl || ''}/recordings`;
    const list = listRecordings(root(), camera).map((e) => ({
      camera: e.camera,
      file: e.file,
      size: e.size,
      mtime: new Date(e.mtimeMs).toISOString(),
      url: `${base}/${e.camera}/${e.file}`,
      thumbnailUrl: e.thumbnail ? `${base}/${e.camera}/${e.thumbnail}` : undefined,
    }));
    res.json(list);
  });
  app.get('/recordings/:camera/:file', (req, res) => {
    const { camera, file } = req.params;
    if (!CAMERA_RE.test(camera) || !NAME_RE.test(file) || file.includes('..') || !/\.(mp4|jpg)$/.test(file)) {
      res.status(400).json({ error: 'invalid recording path' });
      return;
    }
    let real: string;
    try {
      real = resolveMedia(root(), camera, file);
    } catch (err) {
      if (err instanceof MediaPathError) res.status(403).json({ error: `recording refused: ${err.message}` });
      else res.status((err as NodeJS.ErrnoException).code === 'ENOENT' ? 404 : 400).json({ error: 'not found' });
      return;
    }
    res.sendFile(path.basename(real), { root: path.dirname(real), dotfiles: 'deny', maxAge: 0 }, (err) => {
      if (err && !res.headersSent) res.status(err.status === 404 || (err as NodeJS.ErrnoException).code === 'ENOENT' ? 404 : 500).json({ error: 'not found' });
    });
  });
  return true;
}
