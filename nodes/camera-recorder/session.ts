/**
 * One running recording: an ffmpeg process (fed by rpicam-vid for the Pi
 * camera) that records until a computed end time, extended by new triggers up
 * to a maximum, watched for stalls, and stopped so the file is finalized.
 */
import { spawn as nodeSpawn, ChildProcess, SpawnOptions } from 'child_process';
import { parseProgress, recordArgs, rpicamArgs, RecordPlan } from './ffmpeg-args';

export type EndReason = 'completed' | 'stopped' | 'stalled' | 'failed' | 'closed';

export interface SessionEnd {
  reason: EndReason;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Last lines ffmpeg wrote to stderr (errors only, -loglevel error). */
  stderr: string;
  /** Seconds of video ffmpeg reported last. */
  outSeconds: number;
  /** Set when the process could not be started. */
  spawnError?: string;
}

export type SpawnFn = (cmd: string, args: string[], opts: SpawnOptions) => ChildProcess;

export interface SessionOptions {
  ffmpeg: string;
  plan: RecordPlan;
  /** rpicam-vid or libcamera-vid, for rpicam sources. */
  rpicam?: string;
  durationSec: number;
  maxDurationSec: number;
  watchdogSec: number;
  graceSec: number;
  spawn?: SpawnFn;
  now?: () => number;
}

export class RecordingSession {
  readonly startedAt: number;
  private endAt: number;
  private readonly limitAt: number;
  private readonly now: () => number;
  private proc?: ChildProcess;
  private feeder?: ChildProcess;
  private endTimer?: NodeJS.Timeout;
  private watchdog?: NodeJS.Timeout;
  private killTimers: NodeJS.Timeout[] = [];
  private stopReason?: EndReason;
  private lastSize = -1;
  private lastOutUs = -1;
  /** The planned end came before any output (see schedule()). */
  private dueWithoutOutput = false;
  /** ffmpeg reported a frame or output time: the file holds video. */
  private hasOutput = false;
  private lastGrowth: number;
  private stderr = '';
  private exited = false;
  private resolveEnd!: (end: SessionEnd) => void;
  /** Resolves once ffmpeg (and its feeder) exited; never rejects. */
  readonly finished: Promise<SessionEnd>;

  constructor(private readonly opts: SessionOptions) {
    this.now = opts.now || Date.now;
    this.startedAt = this.now();
    this.lastGrowth = this.startedAt;
    this.endAt = this.startedAt + opts.durationSec * 1000;
    this.limitAt = this.startedAt + opts.maxDurationSec * 1000;
    this.finished = new Promise((resolve) => (this.resolveEnd = resolve));
  }

  /** Seconds until the planned end. */
  secondsLeft(): number {
    return Math.max(0, Math.ceil((this.endAt - this.now()) / 1000));
  }

  get running(): boolean {
    return !this.exited;
  }

  /** True once a stop was asked for: the file is being finalized and can no longer grow. */
  get stopping(): boolean {
    return !this.exited && this.stopReason !== undefined;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  start(): void {
    const spawn = this.opts.spawn || (nodeSpawn as SpawnFn);
    const args = recordArgs(this.opts.plan);
    try {
      if (this.opts.plan.source.kind === 'rpicam') {
        if (!this.opts.rpicam) throw new Error('neither rpicam-vid nor libcamera-vid is installed');
        this.feeder = spawn(this.opts.rpicam, rpicamArgs(this.opts.plan), { stdio: ['ignore', 'pipe', 'pipe'] });
        this.feeder.on('error', (err) => this.fail(`${this.opts.rpicam}: ${err.message}`));
        this.feeder.stderr?.on('data', () => undefined);
      }
      this.proc = spawn(this.opts.ffmpeg, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (err) {
      this.finish({ reason: 'failed', code: null, signal: null, spawnError: (err as Error).message });
      return;
    }
    const proc = this.proc;
    if (this.feeder?.stdout && proc.stdin) this.feeder.stdout.pipe(proc.stdin);
    proc.stdin?.on('error', () => undefined); // EPIPE when ffmpeg already quit
    proc.on('error', (err) => this.fail(`${this.opts.ffmpeg}: ${err.message}`));
    proc.stderr?.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    proc.stdout?.on('data', (d: Buffer) => this.onProgress(d.toString()));
    proc.on('close', (code, signal) => {
      this.feeder?.kill('SIGKILL');
      this.finish({ reason: this.stopReason || (code === 0 ? 'completed' : 'failed'), code, signal });
    });
    this.schedule();
    this.watchdog = setInterval(() => this.checkWatchdog(), 500);
  }

  /** Pushes the end out to now + durationSec, never past the maximum; returns seconds left. */
  extend(durationSec: number): number {
    if (this.exited || this.stopReason) return 0;
    this.endAt = Math.min(Math.max(this.endAt, this.now() + durationSec * 1000), this.limitAt);
    this.schedule();
    return this.secondsLeft();
  }

  /** Asks ffmpeg to finish the file now ('q', then SIGINT, then SIGKILL after the grace period). */
  stop(reason: EndReason = 'stopped'): Promise<SessionEnd> {
    if (this.exited || !this.proc) return this.finished;
    if (!this.stopReason) {
      this.stopReason = reason;
      const grace = this.opts.graceSec * 1000;
      if (this.feeder) {
        this.feeder.kill('SIGINT'); // ffmpeg sees end of input and finalizes
      } else if (reason === 'completed' || reason === 'stopped') {
        try {
          this.proc.stdin?.write('q');
        } catch {
          /* stdin already closed */
        }
      } else {
        this.proc.kill('SIGINT');
      }
      this.killTimers.push(setTimeout(() => this.proc?.kill('SIGINT'), reason === 'closed' || reason === 'stalled' ? grace : grace / 2));
      this.killTimers.push(
        setTimeout(
          () => {
            this.proc?.kill('SIGKILL');
            this.feeder?.kill('SIGKILL');
          },
          grace + (reason === 'closed' || reason === 'stalled' ? 0 : grace / 2),
        ),
      );
      this.killTimers.forEach((t) => t.unref?.());
    }
    return this.finished;
  }

  private schedule(): void {
    if (this.endTimer) clearTimeout(this.endTimer);
    this.endTimer = setTimeout(
      () => {
        // No video yet at the planned end (a stream still connecting, a busy machine): the clip gets
        // its duration from its first output instead (onProgress), rather than ending empty; a
        // source that never delivers is the watchdog's to stop.
        // (With a feeder, the Pi camera, stopping closes ffmpeg's input and it still writes what the
        // feeder sent while it was probing the stream: no wait.)
        if (this.hasOutput || this.feeder) void this.stop('completed');
        else this.dueWithoutOutput = true;
      },
      Math.max(0, this.endAt - this.now()),
    );
  }

  private onProgress(chunk: string): void {
    const p = parseProgress(chunk);
    const size = p.totalSize ?? this.lastSize;
    const out = p.outTimeUs ?? this.lastOutUs;
    // A stream copy (the Pi camera's H.264) may report frames long before an output time.
    const started = !this.hasOutput && (out > 0 || (p.frame ?? 0) > 0);
    if (started) this.hasOutput = true;
    if (started && this.dueWithoutOutput && !this.stopReason) {
      this.dueWithoutOutput = false;
      this.endAt = Math.min(this.now() + this.opts.durationSec * 1000, this.limitAt);
      this.schedule();
    }
    if (size > this.lastSize || out > this.lastOutUs) this.lastGrowth = this.now();
    this.lastSize = Math.max(size, this.lastSize);
    this.lastOutUs = Math.max(out, this.lastOutUs);
  }

  private checkWatchdog(): void {
    if (this.exited || this.stopReason) return;
    // The first output may take longer (stream connect, encoder look-ahead).
    const allowance = this.lastOutUs <= 0 ? this.opts.watchdogSec * 2000 : this.opts.watchdogSec * 1000;
    if (this.now() - this.lastGrowth > allowance) void this.stop('stalled');
  }

  private fail(message: string): void {
    this.stderr = `${this.stderr}\n${message}`.slice(-4000);
    if (!this.proc || this.proc.pid === undefined) {
      this.finish({ reason: 'failed', code: null, signal: null, spawnError: message });
    } else {
      void this.stop('failed');
    }
  }

  private finish(end: Omit<SessionEnd, 'stderr' | 'outSeconds'>): void {
    if (this.exited) return;
    this.exited = true;
    if (this.endTimer) clearTimeout(this.endTimer);
    if (this.watchdog) clearInterval(this.watchdog);
    this.killTimers.forEach(clearTimeout);
    this.resolveEnd({ ...end, stderr: this.stderr.trim(), outSeconds: Math.max(0, this.lastOutUs) / 1e6 });
  }
}
