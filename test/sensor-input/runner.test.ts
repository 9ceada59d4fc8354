/** The runners behind the node, with a fake clock, a fake output and fake GPIO openers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../nodes/sensor-input/config';
import { gpioRunner, simulateRunner, STATUS_EVERY, type Clock, type Output, type OutMessage } from '../../nodes/sensor-input/runner';
import type { NodeStatus } from '../../nodes/common/status';
import { FakePin } from './fake-pin';

function fakeOutput() {
  const sent: OutMessage[] = [];
  const statuses: NodeStatus[] = [];
  const warns: string[] = [];
  const errors: string[] = [];
  const health: Array<{ ok: boolean; detail: string }> = [];
  const out: Output = {
    send: (m) => sent.push(...m),
    status: (s) => statuses.push(s),
    warn: (t) => warns.push(t),
    error: (t) => errors.push(t),
    health: (ok, detail) => health.push({ ok, detail }),
  };
  return { out, sent, statuses, warns, errors, health };
}

class FakeClock implements Clock {
  t = Date.UTC(2025, 0, 1);
  fns = new Map<number, { fn: () => void; ms: number; next: number }>();
  seq = 0;
  now = () => this.t;
  setInterval(fn: () => void, ms: number): unknown {
    this.fns.set(++this.seq, { fn, ms, next: this.t + ms });
    return this.seq;
  }
  clearInterval(h: unknown): void {
    this.fns.delete(h as number);
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.fns.values()].filter((f) => f.next <= end).sort((a, b) => a.next - b.next)[0];
      if (!due) break;
      this.t = due.next;
      due.next += due.ms;
      due.fn();
    }
    this.t = end;
  }
}

const env = () => undefined;

test('simulate: sends on the clock, reports msg/s every 2 s, stops and resumes', () => {
  const cfg = parseConfig({ profile: 'telemetry', devices: 4, interval: 1, seed: 3 }, env);
  const o = fakeOutput();
  const clock = new FakeClock();
  const r = simulateRunner(cfg, o.out, clock);
  r.start();
  assert.equal(r.running, true);
  clock.advance(10_000);
  assert.ok(o.sent.length >= 38 && o.sent.length <= 42, `${o.sent.length} messages from 4 devices in 10 s at 1 s`);
  const rates = o.statuses.filter((s) => s.fill === 'green' && /msg\/s/.test(s.text || ''));
  assert.ok(rates.length >= 10_000 / STATUS_EVERY - 1);
  assert.match(rates[rates.length - 1].text!, /^4\.0 msg\/s · 4 devices$/);
  assert.equal(o.health.pop()?.ok, true);
  r.stop();
  assert.equal(r.running, false);
  assert.deepEqual(o.statuses.pop(), { text: 'stopped' });
  const before = o.sent.length;
  clock.advance(10_000);
  assert.equal(o.sent.length, before);
  r.start();
  clock.advance(2_000);
  assert.ok(o.sent.length >= before + 4);
  r.stop();
  assert.equal(clock.fns.size, 0, 'no timer left');
});

test('simulate with 0 devices stays off', () => {
  const o = fakeOutput();
  const clock = new FakeClock();
  const r = simulateRunner(parseConfig({ devices: '${SIMULATE_DEVICES}' }, env), o.out, clock);
  r.start();
  clock.advance(20_000);
  assert.equal(o.sent.length, 0);
  assert.equal(r.running, false);
  assert.deepEqual(o.statuses, [{ text: 'off: 0 devices' }]);
  assert.equal(clock.fns.size, 0);
});

test('gpio: absent hardware warns once and stays grey; a failing open is red', () => {
  const cfg = parseConfig({ mode: 'gpio' }, env);
  const absent = fakeOutput();
  const r = gpioRunner(cfg, absent.out, () => ({ ok: false, absent: true, reason: 'no gpiochip under /x' }));
  r.start();
  r.start();
  assert.equal(absent.warns.length, 1);
  assert.equal(absent.errors.length, 0);
  assert.deepEqual(
    absent.statuses.map((s) => [s.fill, s.shape]),
    [
      ['grey', 'ring'],
      ['grey', 'ring'],
    ],
  );
  assert.equal(absent.health[0].ok, true);

  const busy = fakeOutput();
  gpioRunner(cfg, busy.out, () => ({ ok: false, absent: false, reason: 'cannot open GPIO17 (sysfs 529): EBUSY' })).start();
  assert.equal(busy.statuses[0].fill, 'red');
  assert.deepEqual(busy.errors, ['cannot open GPIO17 (sysfs 529): EBUSY']);
  assert.equal(busy.health[0].ok, false);
});

test('gpio: events on the seed topic with the configured source; pin errors turn the status red', () => {
  const pin = new FakePin(0);
  const o = fakeOutput();
  const cfg = parseConfig({ mode: 'gpio', pin: 22, eventType: 'PRESSURE_DETECTED', source: 'MAT', debounce: 0, edge: 'both' }, env);
  const r = gpioRunner(cfg, o.out, () => ({ ok: true, port: pin, detail: 'fake' }), { now: () => Date.UTC(2025, 0, 15, 14, 30, 45, 123) });
  r.start();
  pin.set(1);
  pin.set(0);
  assert.deepEqual(
    o.sent.map((m) => m.topic),
    ['sensor/pressure', 'sensor/pressure'],
  );
  const [on, off] = o.sent.map((m) => JSON.parse(m.payload));
  assert.deepEqual([on.type, on.source, on.data, off.data.state], ['PRESSURE_DETECTED', 'MAT', { gpio_pin: 22, state: 'HIGH' }, 'LOW']);
  assert.match(on.event_id, /^evt-1736951445-[a-z0-9]{6}$/);
  pin.fail(new Error('EIO'));
  assert.equal(o.statuses.pop()?.fill, 'red');
  assert.deepEqual(o.errors, ['GPIO22: EIO']);
  r.stop();
  assert.equal(pin.released, true);
});
