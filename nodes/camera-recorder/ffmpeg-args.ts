/**
 * ffmpeg command lines for a recording, a thumbnail and a probe, always as
 * argument arrays built from validated settings (never from a message).
 */
import type { CameraSource } from './config';

export interface RecordPlan {
  source: CameraSource;
  /** Source URL with credentials inserted, for url sources. */
  url?: string;
  width: number;
  height: number;
  framerate: number;
  /** Hard limit passed to ffmpeg (-t) so it stops even if this process dies. */
  maxDuration: number;
  encoder: 'libx264' | 'mpeg4';
  file: string;
}

/** Inserts username/password into a stream URL (percent-encoded). */
export function withCredentials(url: string, username?: string, password?: string): string {
  if (!username) return url;
  const u = new URL(url);
  u.username = encodeURIComponent(username);
  u.password = password ? encodeURIComponent(password) : '';
  return u.toString();
}

/** Hides credentials in a URL before it reaches a status or a log. */
export function redactUrl(text: string): string {
  return text.replace(/(\w+:\/\/)[^/@\s]+@/g, '$1***@');
}

function inputArgs(plan: RecordPlan): string[] {
  const size = `${plan.width}x${plan.height}`;
  switch (plan.source.kind) {
    case 'testsrc':
      return ['-re', '-f', 'lavfi', '-i', `testsrc=size=${size}:rate=${plan.framerate}`];
    case 'v4l2':
      return ['-f', 'v4l2', '-framerate', String(plan.framerate), '-video_size', size, '-i', plan.source.location];
    case 'url': {
      const url = plan.url || plan.source.location;
      if (url.startsWith('-')) throw new Error('source URL must not start with -');
      return /^rtsps?:/i.test(url) ? ['-rtsp_transport', 'tcp', '-i', url] : ['-i', url];
    }
    case 'rpicam':
      // rpicam-vid writes raw H.264 to our stdin pipe.
      return ['-f', 'h264', '-framerate', String(plan.framerate), '-i', 'pipe:0'];
  }
}

function outputArgs(plan: RecordPlan): string[] {
  if (plan.source.kind === 'rpicam') return ['-c:v', 'copy'];
  if (plan.encoder === 'libx264') return ['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p'];
  return ['-c:v', 'mpeg4', '-q:v', '5', '-pix_fmt', 'yuv420p'];
}

/** The ffmpeg argument array for one recording; progress goes to stdout as key=value lines. */
export function recordArgs(plan: RecordPlan): string[] {
  if (plan.file.startsWith('-')) throw new Error('output file must be an absolute path');
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostats',
    '-progress',
    'pipe:1',
    ...inputArgs(plan),
    '-t',
    String(plan.maxDuration),
    '-an',
    ...outputArgs(plan),
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
    '-n',
    plan.file,
  ];
}

/** rpicam-vid (or libcamera-vid, same options) streaming H.264 to stdout until stopped. */
export function rpicamArgs(plan: RecordPlan): string[] {
  return [
    '-t',
    '0',
    '-n',
    '--width',
    String(plan.width),
    '--height',
    String(plan.height),
    '--framerate',
    String(plan.framerate),
    '--codec',
    'h264',
    '--inline',
    '-o',
    '-',
  ];
}

/** One JPEG frame from the video, 320 px wide. */
export function thumbnailArgs(video: string, out: string, atSec: number): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-y',
    '-ss',
    atSec.toFixed(2),
    '-i',
    video,
    '-frames:v',
    '1',
    '-vf',
    'scale=320:-2',
    '-q:v',
    '4',
    '-f',
    'image2',
    out,
  ];
}

export function probeArgs(file: string): string[] {
  return ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '-select_streams', 'v:0', file];
}

export interface ProbeResult {
  duration: number;
  width?: number;
  height?: number;
  codec?: string;
}

/** Reads ffprobe's JSON; throws when the file holds no video stream. */
export function parseProbe(json: string): ProbeResult {
  const data = JSON.parse(json) as { format?: { duration?: string }; streams?: Array<Record<string, unknown>> };
  const stream = data.streams?.[0];
  if (!stream) throw new Error('ffprobe found no video stream');
  const duration = Number(data.format?.duration ?? stream.duration);
  return {
    duration: Number.isFinite(duration) ? Math.round(duration * 1000) / 1000 : 0,
    width: typeof stream.width === 'number' ? stream.width : undefined,
    height: typeof stream.height === 'number' ? stream.height : undefined,
    codec: typeof stream.codec_name === 'string' ? stream.codec_name : undefined,
  };
}

/** Parses `-progress` blocks; returns the latest values seen in `chunk`. */
export function parseProgress(chunk: string): { totalSize?: number; outTimeUs?: number; frame?: number; end?: boolean } {
  const out: { totalSize?: number; outTimeUs?: number; frame?: number; end?: boolean } = {};
  for (const line of chunk.split('\n')) {
    const [k, v] = line.trim().split('=');
    if (v === undefined) continue;
    const n = Number(v);
    if (k === 'total_size' && Number.isFinite(n)) out.totalSize = n;
    else if ((k === 'out_time_us' || k === 'out_time_ms') && Number.isFinite(n)) out.outTimeUs = n;
    else if (k === 'frame' && Number.isFinite(n)) out.frame = n;
    else if (k === 'progress' && v === 'end') out.end = true;
  }
  return out;
}
