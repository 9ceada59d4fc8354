/** DueTimer: one timer at the next due time; set again once a run settled; stop cancels. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DueTimer } from '../../nodes/alert-notifier/due-timer';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('runs at the next due time, then again for what is due next, one timer at a time', async () => {
  const due = [Date.now() + 30, Date.now() + 80];
  const runs: number[] = [];
  const timer = new DueTimer(
    () => due[0],
    async () => {
      runs.push(Date.now());
      due.shift();
    },
    Date.now,
  );
  timer.schedule();
  timer.schedule(); // already set: no second timer
  await wait(20);
  assert.equal(runs.length, 0, 'not before it is due');
  await wait(140);
  assert.equal(runs.length, 2, 'both due times ran, each once');
  assert.ok(runs[1] - runs[0] >= 40, `second run waited for its own due time (${runs[1] - runs[0]} ms)`);
  timer.stop();
});

test('nothing due: no timer; stop cancels a set one', async () => {
  let runs = 0;
  const none = new DueTimer(
    () => undefined,
    async () => {
      runs++;
    },
    Date.now,
  );
  none.schedule();
  const set = new DueTimer(
    () => Date.now() + 20,
    async () => {
      runs++;
    },
    Date.now,
  );
  set.schedule();
  set.stop();
  await wait(60);
  assert.equal(runs, 0);
});

test('stop is for good: a run in flight when it stops does not set the timer again', async () => {
  let runs = 0;
  let release = (): void => undefined;
  const timer = new DueTimer(
    () => Date.now() + 10,
    () => {
      runs++;
      return new Promise<void>((r) => (release = r));
    },
    Date.now,
  );
  timer.schedule();
  await wait(40);
  assert.equal(runs, 1);
  timer.stop();
  release();
  await wait(80);
  assert.equal(runs, 1, 'no run after stop');
});
