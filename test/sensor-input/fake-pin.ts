/** A GPIO pin for tests, behind the same seam as onoff. */
import type { GpioPort, Level } from '../../nodes/sensor-input/gpio-input';

/** A pin the test sets; `watch` callbacks fire synchronously like onoff's interrupts. */
export class FakePin implements GpioPort {
  level: Level;
  released = false;
  private cb?: (err: Error | null | undefined, value: Level) => void;
  constructor(initial: Level = 0) {
    this.level = initial;
  }
  readSync(): Level {
    return this.level;
  }
  watch(cb: (err: Error | null | undefined, value: Level) => void): void {
    this.cb = cb;
  }
  release(): void {
    this.released = true;
  }
  set(level: Level): void {
    this.level = level;
    this.cb?.(null, level);
  }
  fail(err: Error): void {
    this.cb?.(err, this.level);
  }
}
