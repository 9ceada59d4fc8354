/**
 * camera-recorder settings: typed, validated, upgraded from older versions.
 * No node-red import: unit-tested directly.
 */
import { hasControlChar } from '../common/control-chars';
import { lookupEnvRef } from '../common/env';
import { fieldParsers } from '../common/config-parse';
import { ValidationError } from '../common/errors';

export type SourceKind = 'testsrc' | 'v4l2' | 'url' | 'rpicam';

/** A validated video source. `url` never carries credentials (they are added at spawn time). */
export interface CameraSource {
  kind: SourceKind;
  /** /dev/videoN for v4l2, the stream URL for url, empty otherwise. */
  location: string;
}

export interface CameraConfig {
  /** Settings version; parseConfig upgrades older ones. */
  configVersion: number;
  /** Camera id: names the media sub-folder and the Reading's deviceId. */
  cameraId: string;
  /** 'testsrc' (or empty), '/dev/videoN', 'rtsp://...', 'http(s)://...' or 'rpicam'. */
  source: string;
  /** Frame size, WIDTHxHEIGHT. */
  resolution: string;
  /** Frames per second asked from the source / test pattern. */
  framerate: number;
  /** Seconds recorded per trigger. */
  duration: number;
  /** Upper bound for one recording, extensions included, in seconds. */
  maxDuration: number;
  /** Path of the ffmpeg program; empty: FFMPEG_PATH, ffmpeg-static, then the system ffmpeg. */
  ffmpegPath: string;
  /** 'auto' (libx264 when the ffmpeg has it, else mpeg4), 'libx264' or 'mpeg4'. */
  codec: 'auto' | 'libx264' | 'mpeg4';
  /** Seconds without new output before the watchdog kills ffmpeg. */
  watchdogSec: number;
  /** Seconds between the stop request ('q' / SIGINT) and SIGKILL. */
  graceSec: number;
  /** Recordings older than this many days are deleted (0: keep). */
  retentionDays: number;
  /** Recordings of this camera beyond this many megabytes are deleted, oldest first (0: no limit). */
  retentionMaxMb: number;
}

export const CONFIG_VERSION = 1;

export const DEFAULTS: CameraConfig = {
  configVersion: CONFIG_VERSION,
  cameraId: 'camera1',
  source: 'testsrc',
  resolution: '1280x720',
  framerate: 15,
  duration: 10,
  maxDuration: 60,
  ffmpegPath: '',
  codec: 'auto',
  watchdogSec: 10,
  graceSec: 5,
  retentionDays: 7,
  retentionMaxMb: 2000,
};

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;

/** Lower-cases nothing, keeps [A-Za-z0-9_-], replaces the rest with '_', 1-64 chars; '' when nothing usable. */
export function sanitizeId(value: unknown, max = 64): string {
  if (typeof value !== 'string' && typeof value !== 'number') return '';
  const s = String(value)
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .replace(/^[_-]+/, '')
    .slice(0, max);
  return s.replace(/_+$/, '');
}

/** Parses the source setting; throws ValidationError naming the value. */
export function parseSource(raw: unknown): CameraSource {
  const s = typeof raw === 'string' ? raw.trim() : '';
  if (s === '' || s === 'testsrc') return { kind: 'testsrc', location: '' };
  if (s === 'rpicam' || s === 'libcamera') return { kind: 'rpicam', location: '' };
  if (/^\/dev\/video\d{1,3}$/.test(s)) return { kind: 'v4l2', location: s };
  if (/^(rtsps?|https?):\/\/[^\s/?#@]+(?::\d+)?(?:[/?#][^\s]*)?$/i.test(s)) {
    if (hasControlChar(s)) throw new ValidationError(`source URL holds control characters`, 'source');
    return { kind: 'url', location: s };
  }
  throw new ValidationError(
    `source must be testsrc, rpicam, /dev/videoN or an rtsp:// or http(s):// URL without credentials (use the node's username/password), got "${s.slice(0, 80)}"`,
    'source',
  );
}

const { num } = fieldParsers(DEFAULTS);

/**
 * Validates and converts a node definition; throws ValidationError naming the field.
 * A `${VAR}` the runtime left in cameraId or source is looked up once more; unset means the default.
 */
export function parseConfig(input: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): CameraConfig {
  const def: Record<string, unknown> = { ...input, cameraId: lookupEnvRef(input.cameraId, env), source: lookupEnvRef(input.source, env) };
  const cameraId = def.cameraId === undefined || def.cameraId === '' ? DEFAULTS.cameraId : String(def.cameraId);
  if (!ID_RE.test(cameraId)) {
    throw new ValidationError(`cameraId must be 1-40 letters, digits, - or _, got "${cameraId.slice(0, 60)}"`, 'cameraId');
  }
  const source = def.source === undefined || def.source === '' ? DEFAULTS.source : String(def.source).trim();
  parseSource(source);
  const resolution = def.resolution ? String(def.resolution) : DEFAULTS.resolution;
  const m = /^(\d{2,4})x(\d{2,4})$/.exec(resolution);
  if (!m || Number(m[1]) % 2 || Number(m[2]) % 2) {
    throw new ValidationError(`resolution must be WIDTHxHEIGHT with even numbers, e.g. 1280x720, got "${resolution}"`, 'resolution');
  }
  const codec = def.codec === undefined || def.codec === '' ? 'auto' : String(def.codec);
  if (codec !== 'auto' && codec !== 'libx264' && codec !== 'mpeg4') {
    throw new ValidationError(`codec must be auto, libx264 or mpeg4, got "${codec}"`, 'codec');
  }
  const ffmpegPath = def.ffmpegPath ? String(def.ffmpegPath).trim() : '';
  if (ffmpegPath && (ffmpegPath.startsWith('-') || hasControlChar(ffmpegPath))) {
    throw new ValidationError(`ffmpegPath must be a program path, got "${ffmpegPath}"`, 'ffmpegPath');
  }
  const maxDuration = num(def, 'maxDuration', 1, 3600);
  const duration = num(def, 'duration', 1, 3600);
  if (duration > maxDuration) {
    throw new ValidationError(`duration (${duration}) must not exceed maxDuration (${maxDuration})`, 'duration');
  }
  return {
    configVersion: CONFIG_VERSION,
    cameraId,
    source,
    resolution,
    framerate: num(def, 'framerate', 1, 120),
    duration,
    maxDuration,
    ffmpegPath,
    codec,
    watchdogSec: num(def, 'watchdogSec', 2, 600),
    graceSec: num(def, 'graceSec', 1, 60),
    retentionDays: num(def, 'retentionDays', 0, 3650),
    retentionMaxMb: num(def, 'retentionMaxMb', 0, 10_000_000),
  };
}

/** What a message may choose: a duration within limits, an event id (sanitized), or stop. */
export interface Trigger {
  action: 'start' | 'stop';
  duration: number;
  eventId?: string;
}

/** Reads a trigger from a message without letting it reach ffmpeg's arguments. */
export function parseTrigger(msg: Record<string, unknown>, cfg: Pick<CameraConfig, 'duration' | 'maxDuration'>): Trigger {
  const p = (msg.payload && typeof msg.payload === 'object' ? msg.payload : {}) as Record<string, unknown>;
  const action = String(p.action ?? msg.action ?? 'start').toLowerCase();
  if (action !== 'start' && action !== 'stop' && action !== 'record') {
    throw new ValidationError(`action must be start or stop, got "${action.slice(0, 40)}"`, 'action');
  }
  const rawDuration = msg.duration ?? p.duration;
  let duration = cfg.duration;
  if (rawDuration !== undefined && rawDuration !== null && rawDuration !== '') {
    const n = Number(rawDuration);
    if (!Number.isFinite(n) || n <= 0) {
      throw new ValidationError(`duration must be a positive number of seconds, got "${String(rawDuration).slice(0, 40)}"`, 'duration');
    }
    duration = Math.min(Math.max(n, 1), cfg.maxDuration);
  }
  const ev = p.event && typeof p.event === 'object' ? (p.event as Record<string, unknown>).id : undefined;
  const eventId = sanitizeId(msg.eventId ?? ev ?? p.event_id ?? p.eventId ?? (p.state && p.ruleId ? p.id : undefined));
  return { action: action === 'stop' ? 'stop' : 'start', duration, eventId: eventId || undefined };
}
