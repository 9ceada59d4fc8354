/** LoginThrottle: failures counted per address and per user, in a sliding window, taken back on success. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressKey, LoginThrottle } from '../../../app/auth/throttle';

function clock(start = 1_000_000): { now: () => number; advance(ms: number): void } {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

test('an address is refused after maxPerAddress attempts, whatever the user names, with the wait in seconds', () => {
  const c = clock();
  const th = new LoginThrottle({ maxPerAddress: 3, maxPerUser: 100, windowMs: 60_000 }, c.now);
  for (const u of ['a', 'b', 'c']) assert.equal(th.begin(u, '10.0.0.1').allowed, true);
  c.advance(10_000);
  const v = th.begin('d', '10.0.0.1');
  assert.deepEqual(v, { allowed: false, scope: 'address', retryAfterSec: 50 });
  assert.equal(th.begin('a', '10.0.0.2').allowed, true, 'another address is not affected');
  c.advance(50_000);
  assert.equal(th.begin('d', '10.0.0.1').allowed, true, 'the window slides');
});

test('a parallel burst is cut at the limit before any answer comes back', () => {
  const th = new LoginThrottle({ maxPerAddress: 10 });
  const allowed = Array.from({ length: 200 }, () => th.begin('admin', '10.0.0.9')).filter((v) => v.allowed).length;
  assert.equal(allowed, 10);
});

test('a success takes its attempt back, so a right password never uses up the budget', () => {
  const th = new LoginThrottle({ maxPerAddress: 2 });
  for (let i = 0; i < 5; i++) {
    assert.equal(th.begin('admin', '10.0.0.1').allowed, true);
    th.succeeded('admin', '10.0.0.1');
  }
});

test('a user under attack from many addresses is refused, except from an address where that user logged in', () => {
  const th = new LoginThrottle({ maxPerAddress: 100, maxPerUser: 5 });
  assert.equal(th.begin('admin', '192.168.1.10').allowed, true);
  th.succeeded('admin', '192.168.1.10');
  for (let i = 0; i < 5; i++) th.begin('admin', `203.0.113.${i}`);
  const v = th.begin('admin', '203.0.113.99');
  assert.equal(v.allowed, false);
  assert.equal(v.allowed === false && v.scope, 'user');
  assert.equal(th.begin('admin', '192.168.1.10').allowed, true, 'the trusted address still gets in');
});

test('IPv6 addresses are counted by /64 and IPv4-mapped ones as IPv4', () => {
  assert.equal(addressKey('::ffff:127.0.0.1'), '127.0.0.1');
  assert.equal(addressKey('2001:db8:1:2:aaaa::1'), addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee'));
  assert.notEqual(addressKey('2001:db8:1:2::1'), addressKey('2001:db8:1:3::1'));
  assert.equal(addressKey('::1'), '0:0:0:0::/64');
  const th = new LoginThrottle({ maxPerAddress: 1 });
  th.begin('u', '2001:db8:1:2::1');
  assert.equal(th.begin('u', '2001:db8:1:2::2').allowed, false);
});

test('tracked keys are bounded', () => {
  const th = new LoginThrottle({ maxKeys: 50 });
  for (let i = 0; i < 1000; i++) th.begin(`user${i}`, `10.0.${i >> 8}.${i & 255}`);
  assert.ok(th.tracked.addresses <= 50 && th.tracked.users <= 50, JSON.stringify(th.tracked));
});
