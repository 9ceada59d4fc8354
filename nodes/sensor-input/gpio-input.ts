/**
 * Edge detection with debounce and active-low for one digital input. The GPIO
 * library sits behind `GpioPort`, a three-method seam, so tests drive the logic
 * with a fake pin and fake timers.
 */

export type Level = 0 | 1;
export type Edge = 'rising' | 'falling' | 'both';

/** The part of onoff's `Gpio` this node uses. */
export interface GpioPort {
  readSync(): Level;
  /** Called on every raw change (onoff with edge "both"). */
  watch(cb: (err: Error | null | undefined, value: Level) => void): void;
  /** Stops watching and releases the line. */
  release(): void;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface WatchOptions {
  edge: Edge;
  /** The level must stay this many ms before a change counts; 0 reports every change. */
  debounceMs: number;
  /** Input reads 0 when active (pull-up wiring, button to ground). */
  activeLow: boolean;
}

/** A debounced change of the logical level (1 = active, after active-low). */
export interface InputChange {
  active: boolean;
  /** `HIGH` when active, as the seed reports it. */
  state: 'HIGH' | 'LOW';
}

/**
 * Watches a port and calls `onChange` for each debounced logical change that
 * matches the edge. Returns a stop function. Errors from the port go to `onError`.
 */
export function watchInput(
  port: GpioPort,
  opts: WatchOptions,
  onChange: (change: InputChange) => void,
  onError: (err: Error) => void,
  timers: Timers = realTimers,
): () => void {
  const logical = (raw: Level): Level => (opts.activeLow ? ((1 - raw) as Level) : raw);
  let stable = logical(port.readSync());
  let pending: Level = stable;
  let timer: unknown;
  let stopped = false;

  const settle = (): void => {
    timer = undefined;
    if (pending === stable) return; // bounced back
    stable = pending;
    const rising = stable === 1;
    if (opts.edge === 'both' || (opts.edge === 'rising') === rising) {
      onChange({ active: rising, state: rising ? 'HIGH' : 'LOW' });
    }
  };

  port.watch((err, value) => {
    if (stopped) return;
    if (err) {
      onError(err);
      return;
    }
    pending = logical(value);
    if (opts.debounceMs <= 0) {
      settle();
      return;
    }
    if (timer !== undefined) timers.clearTimeout(timer);
    timer = timers.setTimeout(settle, opts.debounceMs);
  });

  return () => {
    stopped = true;
    if (timer !== undefined) timers.clearTimeout(timer);
    port.release();
  };
}
