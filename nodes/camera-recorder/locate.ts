/**
 * Finding ffmpeg / ffprobe, in order: the node's setting, FFMPEG_PATH,
 * ffmpeg-static when installed, the system ffmpeg on PATH.
 */
import { execFile } from 'child_process';
import fs from 'fs';
import path from 'path';

export type FfmpegOrigin = 'setting' | 'FFMPEG_PATH' | 'ffmpeg-static' | 'system';

export interface FfmpegLocation {
  ffmpeg: string;
  /** ffprobe beside it, FFPROBE_PATH, or on PATH; undefined when absent. */
  ffprobe?: string;
  origin: FfmpegOrigin;
}

export interface LocateDeps {
  env: NodeJS.ProcessEnv;
  /** Returns the ffmpeg-static path, or undefined when it is not installed. */
  ffmpegStatic: () => string | undefined;
  isExecutable: (file: string) => boolean;
}

export function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(program: string, deps: LocateDeps): string | undefined {
  for (const dir of (deps.env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, program);
    if (deps.isExecutable(p)) return p;
  }
  return undefined;
}

export const defaultDeps: LocateDeps = {
  env: process.env,
  ffmpegStatic: () => {
    try {
      const p = require('ffmpeg-static') as string | null;
      return typeof p === 'string' ? p : undefined;
    } catch {
      return undefined;
    }
  },
  isExecutable,
};

/** Finds ffmpeg; throws an Error that says where it looked. */
export function locateFfmpeg(setting: string, deps: LocateDeps = defaultDeps): FfmpegLocation {
  const tried: string[] = [];
  const check = (p: string | undefined, origin: FfmpegOrigin): FfmpegLocation | undefined => {
    if (!p) return undefined;
    const resolved = p.includes('/') ? p : onPath(p, deps);
    tried.push(`${origin} (${p})`);
    if (!resolved || !deps.isExecutable(resolved)) return undefined;
    return { ffmpeg: resolved, origin, ffprobe: locateFfprobe(resolved, deps) };
  };
  const found =
    check(setting || undefined, 'setting') ||
    check(deps.env.FFMPEG_PATH || undefined, 'FFMPEG_PATH') ||
    check(deps.ffmpegStatic(), 'ffmpeg-static') ||
    check(onPath('ffmpeg', deps) || undefined, 'system');
  if (found) return found;
  if (!tried.some((t) => t.startsWith('system'))) tried.push('system (ffmpeg not on PATH)');
  throw new Error(`ffmpeg not found; tried ${tried.join(', ')}. Install ffmpeg (apt-get install ffmpeg) or set FFMPEG_PATH`);
}

function locateFfprobe(ffmpeg: string, deps: LocateDeps): string | undefined {
  const beside = path.join(path.dirname(ffmpeg), 'ffprobe');
  if (deps.isExecutable(beside)) return beside;
  if (deps.env.FFPROBE_PATH && deps.isExecutable(deps.env.FFPROBE_PATH)) return deps.env.FFPROBE_PATH;
  return onPath('ffprobe', deps);
}

const encoderCache = new Map<string, Promise<Set<string>>>();

/** Video encoders an ffmpeg binary offers (cached per path). */
export function encoders(ffmpeg: string): Promise<Set<string>> {
  let p = encoderCache.get(ffmpeg);
  if (!p) {
    p = new Promise((resolve) => {
      execFile(ffmpeg, ['-hide_banner', '-encoders'], { timeout: 15_000, maxBuffer: 4 << 20 }, (err, stdout) => {
        const set = new Set<string>();
        for (const line of String(stdout || '').split('\n')) {
          const m = /^\s*V\S*\s+(\S+)/.exec(line);
          if (m) set.add(m[1]);
        }
        resolve(set);
      });
    });
    encoderCache.set(ffmpeg, p);
  }
  return p;
}

/** libx264 when asked or available, else mpeg4. */
export async function chooseEncoder(ffmpeg: string, wanted: 'auto' | 'libx264' | 'mpeg4'): Promise<'libx264' | 'mpeg4'> {
  if (wanted === 'mpeg4') return 'mpeg4';
  const set = await encoders(ffmpeg);
  if (set.has('libx264')) return 'libx264';
  if (wanted === 'libx264') throw new Error(`this ffmpeg (${ffmpeg}) has no libx264 encoder; choose codec auto or mpeg4`);
  return 'mpeg4';
}
