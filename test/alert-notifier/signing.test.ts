/** HMAC signature (RFC 4231 vector), verification, idempotency keys. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signBody, verifySignature, transitionKey, hashKey } from '../../nodes/alert-notifier/signing';

test('signBody matches RFC 4231 test case 2 for HMAC-SHA256', () => {
  assert.equal(signBody('what do ya want for nothing?', 'Jefe'), 'sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
});

test('verifySignature accepts the right header and rejects a changed body, key or header', () => {
  const body = '{"a":1}';
  const h = signBody(body, 'k1');
  assert.equal(verifySignature(body, 'k1', h), true);
  assert.equal(verifySignature('{"a":2}', 'k1', h), false);
  assert.equal(verifySignature(body, 'k2', h), false);
  assert.equal(verifySignature(body, 'k1', h.slice(0, -1)), false);
  assert.equal(verifySignature(body, 'k1', undefined), false);
});

test('transitionKey: same transition same key; state, since, id or repeat change it', () => {
  const a = { id: 'al-1', state: 'firing', since: 1000 };
  const k = transitionKey(a);
  assert.match(k, /^[0-9a-f]{64}$/);
  assert.equal(transitionKey({ ...a }), k);
  assert.equal(k, hashKey('al-1', 'firing', 1000));
  const others = [
    transitionKey({ ...a, state: 'resolved' }),
    transitionKey({ ...a, since: 1001 }),
    transitionKey({ ...a, id: 'al-2' }),
    transitionKey(a, 1),
    transitionKey(a, 2),
  ];
  assert.equal(new Set([k, ...others]).size, 6);
});
