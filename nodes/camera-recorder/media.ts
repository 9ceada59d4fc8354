/**
 * The media folder: <dataDir>/media/<camera>/<stamp>_<event>.mp4 (+ .jpg
 * thumbnail). Names come from sanitized ids only, and every path is checked to
 * stay inside the folder. Retention is a pure plan over a listing.
 */
import { execFile } from 'child_process';
import fs from 'fs';
import path from 'path';
import { parseProbe, ProbeResult, probeArgs, thumbnailArgs } from './ffmpeg-args';

export const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,120}$/;
export const CAMERA_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;

export function mediaRoot(dataDir: string): string {
  return path.resolve(dataDir, 'media');
}

/** Joins and checks that the result stays inside `root`; throws otherwise. */
export function safeJoin(root: string, ...parts: string[]): string {
  const base = path.resolve(root);
  const full = path.resolve(base, ...parts);
  if (!full.startsWith(base + path.sep)) throw new Error(`path escapes the media folder: ${parts.join('/')}`);
  return full;
}

/** A recording path that is refused: a symbolic link, not a plain file, or outside the media folder. */
export class MediaPathError extends Error {
  override name = 'MediaPathError';
}

/**
 * The real path of `<root>/<camera>/<file>` when it may be served: no symbolic
 * link on the way (camera folder or file), a plain file, inside the media folder
 * (which itself may live behind a link). Throws MediaPathError, or the fs error
 * (ENOENT) when the file is not there.
 */
export function resolveMedia(root: string, camera: string, file: string): string {
  const full = safeJoin(root, camera, file);
  for (const p of [path.dirname(full), full]) {
    if (fs.lstatSync(p).isSymbolicLink()) throw new MediaPathError('symbolic links are not served');
  }
  if (!fs.statSync(full).isFile()) throw new MediaPathError('not a file');
  const realRoot = fs.realpathSync(root);
  const real = fs.realpathSync(full);
  if (!real.startsWith(realRoot + path.sep)) throw new MediaPathError('outside the media folder');
  return real;
}

/** File name of a new recording: 20260123T101500123Z_evt-1.mp4 */
export function recordingName(startedAt: number, eventId?: string): string {
  const stamp = new Date(startedAt).toISOString().replace(/[-:]/g, '').replace('.', '');
  const ev = (eventId || 'manual').replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
  return `${stamp}_${ev}.mp4`;
}

export function thumbnailOf(video: string): string {
  return video.replace(/\.mp4$/, '.jpg');
}

export interface MediaEntry {
  camera: string;
  file: string;
  size: number;
  mtimeMs: number;
  /** Thumbnail file name when it exists. */
  thumbnail?: string;
}

/** Videos under root (one level of camera folders), newest first. */
export function listRecordings(root: string, camera?: string): MediaEntry[] {
  const out: MediaEntry[] = [];
  let cams: string[];
  try {
    cams = camera ? [camera] : fs.readdirSync(root);
  } catch {
    return out;
  }
  for (const cam of cams) {
    if (!CAMERA_RE.test(cam)) continue;
    // Linked folders and files are never listed (nor served: resolveMedia).
    try {
      if (!fs.lstatSync(path.join(root, cam)).isDirectory()) continue;
    } catch {
      continue;
    }
    let names: string[];
    try {
      names = fs.readdirSync(path.join(root, cam));
    } catch {
      continue;
    }
    const set = new Set(names);
    for (const name of names) {
      if (!name.endsWith('.mp4') || !NAME_RE.test(name)) continue;
      try {
        const st = fs.lstatSync(path.join(root, cam, name));
        if (!st.isFile()) continue;
        const thumb = name.replace(/\.mp4$/, '.jpg');
        out.push({ camera: cam, file: name, size: st.size, mtimeMs: st.mtimeMs, thumbnail: set.has(thumb) ? thumb : undefined });
      } catch {
        /* deleted meanwhile */
      }
    }
  }
  return out.sort((a, b) => b.mtimeMs - a.mtimeMs);
}

export interface RetentionPolicy {
  /** 0: no age limit. */
  maxAgeDays: number;
  /** 0: no size limit. */
  maxTotalBytes: number;
}

/** Entries to delete: older than the age limit, then oldest first until the total fits. Pure. */
export function planRetention(entries: MediaEntry[], policy: RetentionPolicy, now: number, keep: Set<string> = new Set()): MediaEntry[] {
  const sorted = [...entries].sort((a, b) => a.mtimeMs - b.mtimeMs);
  const doomed: MediaEntry[] = [];
  const kept: MediaEntry[] = [];
  const cutoff = policy.maxAgeDays > 0 ? now - policy.maxAgeDays * 86_400_000 : -Infinity;
  for (const e of sorted) {
    if (!keep.has(e.file) && e.mtimeMs < cutoff) doomed.push(e);
    else kept.push(e);
  }
  if (policy.maxTotalBytes > 0) {
    let total = kept.reduce((s, e) => s + e.size, 0);
    for (const e of kept) {
      if (total <= policy.maxTotalBytes) break;
      if (keep.has(e.file)) continue;
      doomed.push(e);
      total -= e.size;
    }
  }
  return doomed;
}

/** Deletes the planned videos and their thumbnails; returns how many videos went. */
export function applyRetention(root: string, doomed: MediaEntry[]): number {
  let n = 0;
  for (const e of doomed) {
    try {
      fs.unlinkSync(safeJoin(root, e.camera, e.file));
      n++;
    } catch {
      /* already gone */
    }
    if (e.thumbnail) fs.rmSync(safeJoin(root, e.camera, e.thumbnail), { force: true });
  }
  return n;
}

/** How often the sweeper applies the retention policy on its own (besides after each recording). */
export const RETENTION_EVERY_MS = 3_600_000;

export interface RetentionSweeperOptions {
  root: string;
  cameraId: string;
  policy: RetentionPolicy;
  /** Files that must stay (the recording in progress). */
  keep(): string[];
  log(text: string): void;
  warn(text: string): void;
  now?: () => number;
}

/** One camera's retention: a sweep now, then every `everyMs` until stopped; a failing sweep warns and the next one tries again. */
export class RetentionSweeper {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: RetentionSweeperOptions) {}

  /** Deletes what the policy no longer keeps; returns how many videos went. */
  sweep(): number {
    const { root, cameraId, policy } = this.o;
    try {
      const doomed = planRetention(listRecordings(root, cameraId), policy, (this.o.now ?? Date.now)(), new Set(this.o.keep()));
      if (!doomed.length) return 0;
      const n = applyRetention(root, doomed);
      this.o.log(`retention deleted ${n} recording(s) of ${cameraId}`);
      return n;
    } catch (err) {
      this.o.warn(`retention: ${err instanceof Error ? err.message : String(err)}`);
      return 0;
    }
  }

  start(everyMs = RETENTION_EVERY_MS): void {
    this.stop();
    this.sweep();
    this.timer = setInterval(() => this.sweep(), everyMs);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err)
        reject(
          new Error(
            `${path.basename(cmd)} failed: ${String(stderr || err.message)
              .trim()
              .slice(0, 300)}`,
          ),
        );
      else resolve(stdout);
    });
  });
}

export async function probeFile(ffprobe: string, file: string): Promise<ProbeResult> {
  return parseProbe(await run(ffprobe, probeArgs(file), 20_000));
}

/** Makes a JPEG thumbnail; resolves with its path, or undefined when ffmpeg could not. */
export async function makeThumbnail(ffmpeg: string, video: string, durationSec: number): Promise<string | undefined> {
  const out = thumbnailOf(video);
  try {
    await run(ffmpeg, thumbnailArgs(video, out, Math.min(1, durationSec / 2)), 20_000);
    return fs.statSync(out).size > 0 ? out : undefined;
  } catch {
    return undefined;
  }
}
