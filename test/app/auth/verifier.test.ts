/** The password verifier: bcrypt natively or in worker threads, off the event loop, with a bounded queue. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import bcrypt from 'bcryptjs';
import { createVerifier } from '../../../app/auth/verifier';

const HASH = bcrypt.hashSync('s3cret-pass', 10);
// Cost 12: about a quarter of a second per check on the main thread, so a blocked loop cannot hide.
const SLOW_HASH = bcrypt.hashSync('s3cret-pass', 12);

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
