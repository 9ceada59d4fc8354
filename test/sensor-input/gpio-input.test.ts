/** Edge, debounce and active-low logic with a fake pin and a fake clock. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { watchInput, type InputChange, type Level, type Timers, type WatchOptions } from '../../nodes/sensor-input/gpio-input';
import { FakePin } from './fake-pin';

/** Manual timers: `advance(ms)` runs what falls due. */
class FakeTimers implements Timers {
  now = 0;
  private seq = 0;
  private pending = new Map<number, { at: number; fn: () => void }>();
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.pending.set(id, { at: this.now + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const due = [...this.pending.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.now = due[1].at;
      this.pending.delete(due[0]);
      due[1].fn();
    }
    this.now = end;
  }
  get size(): number {
    return this.pending.size;
  }
}

function setup(opts: Partial<WatchOptions>, initial: Level = 0) {
  const pin = new FakePin(initial);
  const timers = new FakeTimers();
  const changes: InputChange[] = [];
  const errors: Error[] = [];
  const stop = watchInput(
    pin,
    { edge: 'rising', debounceMs: 50, activeLow: false, ...opts },
    (c) => changes.push(c),
    (e) => errors.push(e),
    timers,
  );
  return { pin, timers, changes, errors, stop };
}

test('rising edge without debounce: one event per press, none on release', () => {
  const { pin, changes } = setup({ debounceMs: 0 });
  pin.set(1);
  pin.set(0);
  pin.set(1);
  assert.deepEqual(changes, [
    { active: true, state: 'HIGH' },
    { active: true, state: 'HIGH' },
  ]);
});

test('contact bounce inside the debounce time gives one event, after the level settled', () => {
  const { pin, timers, changes } = setup({ debounceMs: 50 });
  pin.set(1);
  timers.advance(3);
  pin.set(0);
  timers.advance(2);
  pin.set(1);
  timers.advance(49);
  assert.equal(changes.length, 0, 'not yet stable for 50 ms');
  timers.advance(1);
  assert.deepEqual(changes, [{ active: true, state: 'HIGH' }]);
  timers.advance(1000);
  assert.equal(changes.length, 1);
});

test('a glitch shorter than the debounce time is ignored', () => {
  const { pin, timers, changes } = setup({ debounceMs: 50, edge: 'both' });
  pin.set(1);
  timers.advance(10);
  pin.set(0);
  timers.advance(100);
  assert.deepEqual(changes, []);
  assert.equal(timers.size, 0);
});

test('falling and both edges', () => {
  const falling = setup({ edge: 'falling', debounceMs: 0 });
  falling.pin.set(1);
  falling.pin.set(0);
  assert.deepEqual(falling.changes, [{ active: false, state: 'LOW' }]);
  const both = setup({ edge: 'both', debounceMs: 20 });
  both.pin.set(1);
  both.timers.advance(20);
  both.pin.set(0);
  both.timers.advance(20);
  assert.deepEqual(
    both.changes.map((c) => c.state),
    ['HIGH', 'LOW'],
  );
});

test('active low: a button pulling the line to ground is a rising (active) edge', () => {
  const { pin, timers, changes } = setup({ activeLow: true, debounceMs: 30 }, 1);
  pin.set(0); // pressed
  timers.advance(30);
  pin.set(1); // released
  timers.advance(30);
  assert.deepEqual(changes, [{ active: true, state: 'HIGH' }]);
});

test('the initial level is not an event; repeated same values are not edges', () => {
  const { pin, timers, changes } = setup({ debounceMs: 10, edge: 'both' }, 1);
  pin.set(1);
  timers.advance(20);
  assert.deepEqual(changes, []);
});

test('errors are passed on; stop clears the timer, releases the pin and ignores later changes', () => {
  const { pin, timers, changes, errors, stop } = setup({ debounceMs: 50 });
  pin.fail(new Error('EIO'));
  assert.equal(errors[0].message, 'EIO');
  pin.set(1);
  assert.equal(timers.size, 1);
  stop();
  assert.equal(timers.size, 0);
  assert.equal(pin.released, true);
  pin.set(0);
  pin.set(1);
  timers.advance(100);
  assert.deepEqual(changes, []);
});
