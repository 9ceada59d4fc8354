/**
 * One camera: starts a RecordingSession on a trigger, extends it on the next
 * ones, then reads the finished file back (ffprobe, thumbnail) into a
 * Recording. No node-red import.
 */
import fs from 'fs';
import path from 'path';
import { randomUUID } from 'crypto';
import type { Reading, Recording } from '../common/types';
import { CameraConfig, parseSource, Trigger } from './config';
import { redactUrl, withCredentials } from './ffmpeg-args';
import { chooseEncoder, FfmpegLocation, isExecutable } from './locate';
import { makeThumbnail, probeFile, recordingName, safeJoin } from './media';
import { RecordingSession, SessionEnd, SpawnFn } from './session';

/** Why a recording produced no usable file; `result` is the metrics label. */
export class RecordingError extends Error {
  override name = 'RecordingError';
  constructor(
    message: string,
    readonly result: 'stalled' | 'failed',
  ) {
    super(message);
  }
}

export interface RecorderDeps {
  location: FfmpegLocation;
  /** <dataDir>/media */
  mediaRoot: string;
  username?: string;
  password?: string;
  spawn?: SpawnFn;
  /** rpicam-vid / libcamera-vid path, found on PATH by default. */
  rpicam?: string;
}

export type TriggerOutcome =
  { kind: 'started'; recording: Promise<Recording> } | { kind: 'extended'; secondsLeft: number } | { kind: 'stopping' } | { kind: 'idle' };

export function findRpicam(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const prog of ['rpicam-vid', 'libcamera-vid']) {
    for (const dir of (env.PATH || '').split(':')) {
      if (dir && isExecutable(path.join(dir, prog))) return path.join(dir, prog);
    }
  }
  return undefined;
}

export class CameraRecorder {
  private session?: RecordingSession;
  /** Trigger of a recording being set up; later triggers merge into it. */
  private starting?: Trigger;
  private closed = false;
  /** File currently being written (kept out of retention). */
  current?: string;

  constructor(
    private readonly cfg: CameraConfig,
    private readonly deps: RecorderDeps,
  ) {}

  get recording(): boolean {
    return !!this.starting || !!this.session?.running;
  }

  secondsLeft(): number {
    return this.session?.running ? this.session.secondsLeft() : 0;
  }

  cameraDir(): string {
    return safeJoin(this.deps.mediaRoot, this.cfg.cameraId);
  }

  trigger(t: Trigger): TriggerOutcome {
    const s = this.session;
    if (t.action === 'stop') {
      if (this.starting) {
        this.starting.duration = 1; // not started yet: keep it as short as allowed
        return { kind: 'stopping' };
      }
      if (!s?.running || s.stopping) return { kind: 'idle' };
      void s.stop('stopped');
      return { kind: 'stopping' };
    }
    if (this.starting) {
      // Still setting up (encoder probe, or the previous clip being finalized): merge into it.
      this.starting.duration = Math.min(Math.max(this.starting.duration, t.duration), this.cfg.maxDuration);
      return { kind: 'extended', secondsLeft: this.starting.duration };
    }
    if (s?.running && !s.stopping) return { kind: 'extended', secondsLeft: s.extend(t.duration) };
    const starting: Trigger = { ...t };
    this.starting = starting;
    // A clip being finalized keeps the source busy (a V4L2 device allows one reader): start after it.
    const previous = s?.running ? s.finished : Promise.resolve();
    return { kind: 'started', recording: previous.then(() => this.record(starting)) };
  }

  /** Stops a running recording (SIGINT, SIGKILL after the grace period) and waits for it. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.session?.running) await this.session.stop('closed');
  }

  private async record(t: Trigger): Promise<Recording> {
    let session: RecordingSession;
    let file: string;
    let startedAt: number;
    let encoder: 'libx264' | 'mpeg4';
    try {
      ({ session, file, startedAt, encoder } = await this.prepare(t));
    } finally {
      this.starting = undefined;
    }
    if (this.closed) throw new RecordingError('the node was closed before the recording started', 'failed');
    this.session = session;
    this.current = path.basename(file);
    session.start();
    const end = await session.finished;
    this.current = undefined;
    return this.readBack(file, end, startedAt, t.eventId, encoder);
  }

  private async prepare(t: Trigger): Promise<{ session: RecordingSession; file: string; startedAt: number; encoder: 'libx264' | 'mpeg4' }> {
    const source = parseSource(this.cfg.source);
    const [width, height] = this.cfg.resolution.split('x').map(Number);
    const dir = this.cameraDir();
    fs.mkdirSync(dir, { recursive: true });
    const startedAt = Date.now();
    const file = safeJoin(dir, recordingName(startedAt, t.eventId));
    const encoder = await chooseEncoder(this.deps.location.ffmpeg, this.cfg.codec);
    const session = new RecordingSession({
      ffmpeg: this.deps.location.ffmpeg,
      rpicam: source.kind === 'rpicam' ? (this.deps.rpicam ?? findRpicam()) : undefined,
      plan: {
        source,
        url: source.kind === 'url' ? withCredentials(source.location, this.deps.username, this.deps.password) : undefined,
        width,
        height,
        framerate: this.cfg.framerate,
        maxDuration: this.cfg.maxDuration,
        encoder,
        file,
      },
      durationSec: t.duration, // read now: triggers during the set-up raised it
      maxDurationSec: this.cfg.maxDuration,
      watchdogSec: this.cfg.watchdogSec,
      graceSec: this.cfg.graceSec,
      spawn: this.deps.spawn,
    });
    return { session, file, startedAt, encoder };
  }

  private async readBack(file: string, end: SessionEnd, startedAt: number, eventId: string | undefined, encoder: string): Promise<Recording> {
    const endedAt = Date.now();
    const detail = redactUrl(end.spawnError || end.stderr.split('\n').slice(-2).join(' ') || `exit ${end.code ?? end.signal}`);
    if (end.reason === 'stalled') {
      throw new RecordingError(
        `ffmpeg stopped producing output for ${this.cfg.watchdogSec} s (source stalled) and was killed; partial file ${path.basename(file)}`,
        'stalled',
      );
    }
    let size = 0;
    try {
      size = fs.statSync(file).size;
    } catch {
      throw new RecordingError(`ffmpeg wrote no file (${end.reason}): ${detail}`, 'failed');
    }
    let probe = {
      duration: end.outSeconds,
      width: undefined as number | undefined,
      height: undefined as number | undefined,
      codec: encoder === 'libx264' ? 'h264' : 'mpeg4',
    };
    if (this.deps.location.ffprobe) {
      try {
        probe = { ...probe, ...(await probeFile(this.deps.location.ffprobe, file)) };
      } catch (err) {
        throw new RecordingError(`recording ${path.basename(file)} is not a readable video (${end.reason}: ${detail}): ${(err as Error).message}`, 'failed');
      }
    }
    if (end.reason === 'failed' && !(probe.duration > 0)) {
      throw new RecordingError(`ffmpeg failed: ${detail}`, 'failed');
    }
    const thumbnail = await makeThumbnail(this.deps.location.ffmpeg, file, probe.duration);
    return {
      id: randomUUID(),
      cameraId: this.cfg.cameraId,
      file,
      thumbnail,
      size,
      duration: probe.duration,
      width: probe.width,
      height: probe.height,
      codec: probe.codec,
      eventId,
      startedAt,
      endedAt,
    };
  }
}

/** The metadata Reading the InfluxDB writer stores for a recording. */
export function recordingReading(rec: Recording): Reading {
  const metrics: Record<string, number> = { duration_s: rec.duration, size_bytes: rec.size };
  if (rec.width !== undefined) metrics.width = rec.width;
  if (rec.height !== undefined) metrics.height = rec.height;
  const tags: Record<string, string> = { camera: rec.cameraId };
  if (rec.codec) tags.codec = rec.codec;
  return {
    deviceId: rec.cameraId,
    sensorType: 'recording',
    ts: rec.startedAt,
    metrics,
    units: { duration_s: 's', size_bytes: 'B' },
    tags,
    received: Date.now(),
  };
}
