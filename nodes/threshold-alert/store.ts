/**
 * The alert state file: read once at start, written atomically (temp file +
 * rename, so a crash mid-write never leaves half a file) and debounced: a
 * transition is saved within `urgentMs`, mere value / last-seen updates within
 * `softMs`. Writes never pile up: while one is in progress, further requests
 * fold into a single follow-up, and the state is serialised only when that
 * follow-up starts, so one copy of the text exists at a time however fast
 * transitions come. A slow disk stretches the delay (at most a fifth of the
 * time is spent saving). No node-red import.
 */
import fs from 'fs';
import path from 'path';
import type { EngineState } from './engine';
import type { Rule } from './rules';

/** What the file holds: the engine state plus rules replaced at run time by a message. */
export interface StoredState extends EngineState {
  savedAt: number;
  /** Rules set by a `rules` message, valid while the dialog's rules (hashed) are unchanged. */
  override?: { configHash: string; rules: Rule[] };
}

export interface StoreOptions {
  urgentMs?: number;
  softMs?: number;
  onError?: (err: Error) => void;
  onSaved?: () => void;
}

export class AlertStore {
  private timer: NodeJS.Timeout | undefined;
  private due = Infinity;
  private running: Promise<void> | undefined;
  private again = false;
  /** How long the last save took (serialise + write), ms. */
  lastSaveMs = 0;
  /** Saves done (for tests and health). */
  saves = 0;
  private readonly urgentMs: number;
  private readonly softMs: number;

  constructor(
    readonly file: string,
    private readonly get: () => StoredState,
    private readonly opts: StoreOptions = {},
  ) {
    this.urgentMs = opts.urgentMs ?? 250;
    this.softMs = opts.softMs ?? 10_000;
  }

  /**
   * Reads the saved state, or undefined when there is none. An unreadable file
   * is moved aside (`.corrupt-<time>`) rather than silently overwritten; the
   * error says where it went.
   */
  load(): StoredState | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    try {
      const state = JSON.parse(text) as StoredState;
      if (state && state.version === 1 && Array.isArray(state.alerts)) return state;
      throw new Error('not an alert state file (version 1)');
    } catch (err) {
      const aside = `${this.file}.corrupt-${Date.now()}`;
      fs.renameSync(this.file, aside);
      throw new Error(`alert state ${this.file} unreadable (${(err as Error).message}); moved to ${aside}, starting empty`);
    }
  }

  /** Saves within `urgentMs` (urgent) or `softMs`; an earlier deadline wins. */
  schedule(urgent: boolean): void {
    const at = Date.now() + Math.max(urgent ? this.urgentMs : this.softMs, 4 * this.lastSaveMs);
    if (at >= this.due) return;
    if (this.timer) clearTimeout(this.timer);
    this.due = at;
    this.timer = setTimeout(() => {
      void this.flush();
    }, at - Date.now());
  }

  /**
   * Writes the current state now, or right after the write in progress (one
   * follow-up however many calls). Never rejects; errors go to onError.
   */
  flush(): Promise<void> {
    this.cancel();
    this.again = true;
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async drain(): Promise<void> {
    while (this.again) {
      this.again = false;
      const started = Date.now();
      try {
        const state = this.get();
        state.savedAt = started;
        await writeAtomic(this.file, JSON.stringify(state));
        this.saves++;
        this.opts.onSaved?.();
      } catch (err) {
        this.opts.onError?.(err as Error);
      }
      this.lastSaveMs = Date.now() - started;
    }
  }

  /** Stops the timer without writing (use flush() first to keep the last changes). */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.due = Infinity;
  }
}

let tmpSeq = 0;

/** Writes `text` to a temp file beside `file`, fsyncs it, then renames it over `file`. */
export async function writeAtomic(file: string, text: string): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${tmpSeq++}.tmp`;
  const fh = await fs.promises.open(tmp, 'w');
  try {
    await fh.writeFile(text, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await fs.promises.rename(tmp, file);
  } catch (err) {
    await fs.promises.unlink(tmp).catch(() => undefined);
    throw err;
  }
}
