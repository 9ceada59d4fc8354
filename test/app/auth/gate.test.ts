/** AuthGate: the one login check (throttle, cache of verified pairs, bcrypt off the main thread). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import bcrypt from 'bcryptjs';
import { AuthGate, parseBasic } from '../../../app/auth/gate';
import { createVerifier } from '../../../app/auth/verifier';

const HASH = bcrypt.hashSync('s3cret-pass', 10);
// Cost 12: about a quarter of a second per check on the main thread, so a blocked loop cannot hide.
const SLOW_HASH = bcrypt.hashSync('s3cret-pass', 12);
const users = [{ username: 'admin', hash: HASH, role: 'admin' as const }];

for (const backend of ['native', 'worker'] as const) {
  test(`${backend} verifier: right and wrong passwords, and a broken hash is just "no"`, async () => {
    const v = createVerifier({ backend });
    try {
      assert.equal(v.kind, backend);
      assert.equal(await v.verify('s3cret-pass', HASH), true);
      assert.equal(await v.verify('wrong', HASH), false);
      assert.equal(await v.verify('s3cret-pass', 'not a hash'), false);
    } finally {
      await v.close();
    }
  });

  test(`${backend} verifier keeps the event loop free while checking`, async () => {
    const v = createVerifier({ backend, concurrency: 2 });
    try {
      let ticks = 0;
      let maxGap = 0;
      let last = Date.now();
      const timer = setInterval(() => {
        ticks++;
        maxGap = Math.max(maxGap, Date.now() - last);
        last = Date.now();
      }, 5);
      const started = Date.now();
      await Promise.all(Array.from({ length: 4 }, () => v.verify('wrong', SLOW_HASH)));
      clearInterval(timer);
      const took = Date.now() - started;
      console.log(`# ${backend}: 4 checks at cost 12 took ${took} ms; timer ticked ${ticks} times, longest gap ${maxGap} ms`);
      // On the main thread each check would block the loop for ~250 ms; off it the 5 ms timer keeps ticking.
      assert.ok(maxGap < 100, `longest event-loop gap ${maxGap} ms`);
    } finally {
      await v.close();
    }
  });
}

test('the verifier refuses work beyond its queue instead of piling it up', async () => {
  const v = createVerifier({ backend: 'worker', concurrency: 1, maxQueued: 2 });
  try {
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => v.verify('x', HASH)));
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected', 'rejected'],
    );
  } finally {
    await v.close();
  }
});

test('right credentials pass and are then taken from the cache; wrong ones are 401 until the address is throttled', async () => {
  const gate = new AuthGate(users, { throttle: { maxPerAddress: 3 } });
  try {
    const first = await gate.login('admin', 's3cret-pass', '10.0.0.1');
    assert.deepEqual(first, { ok: true, user: { username: 'admin', role: 'admin' } });
    const t0 = process.hrtime.bigint();
    assert.equal((await gate.login('admin', 's3cret-pass', '10.0.0.1')).ok, true);
    const cachedMs = Number(process.hrtime.bigint() - t0) / 1e6;
    assert.ok(cachedMs < 20, `a cached pair needs no bcrypt (${cachedMs} ms)`);
    for (let i = 0; i < 3; i++) assert.deepEqual(await gate.login('admin', `guess${i}`, '10.0.0.1'), { ok: false, status: 401 });
    const blocked = await gate.login('admin', 's3cret-pass', '10.0.0.1');
    assert.equal(blocked.ok, false);
    assert.equal(!blocked.ok && blocked.status, 429);
    assert.ok(!blocked.ok && blocked.retryAfterSec! > 0);
    assert.equal((await gate.login('nobody', 's3cret-pass', '10.0.0.2')).ok, false, 'unknown user');
  } finally {
    await gate.close();
  }
});

test('a one-shot grant is taken once', async () => {
  const gate = new AuthGate(users);
  gate.grantOnce('admin', 's3cret-pass');
  assert.equal(gate.takeGrant('admin', 'other'), false);
  assert.equal(gate.takeGrant('admin', 's3cret-pass'), true);
  assert.equal(gate.takeGrant('admin', 's3cret-pass'), false);
  await gate.close();
});

test('Basic headers are parsed; malformed ones are none', () => {
  const h = (s: string): string => `Basic ${Buffer.from(s).toString('base64')}`;
  assert.deepEqual(parseBasic(h('a:b:c')), { username: 'a', password: 'b:c' });
  assert.equal(parseBasic(h('nocolon')), undefined);
  assert.equal(parseBasic('Bearer abc'), undefined);
  assert.equal(parseBasic(undefined), undefined);
});
