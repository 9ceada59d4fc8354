/** AuthGate: the one login check (throttle, cache of verified pairs, bcrypt off the main thread). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import bcrypt from 'bcryptjs';
import { AuthGate, parseBasic } from '../../../app/auth/gate';

const HASH = bcrypt.hashSync('s3cret-pass', 10);
const users = [{ username: 'admin', hash: HASH, role: 'admin' as const }];

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
