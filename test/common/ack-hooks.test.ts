/** The runtime's message hooks feeding the ack ledger: which nodes complete on their own, which copies count. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AckLedger } from '../../nodes/common/ack-ledger';
import { completesOnItsOwn, useAckHooks, type Hooks } from '../../nodes/common/ack-hooks';

describe('completesOnItsOwn', () => {
  test('a handler taking done completes on its own; none, or handlers without done, do not', () => {
    assert.equal(completesOnItsOwn({ _inputCallback: (_m: unknown, _s: unknown, _d: unknown) => undefined }), true);
    assert.equal(completesOnItsOwn({ _inputCallback: (_m: unknown) => undefined }), false);
    assert.equal(completesOnItsOwn({}), false);
    assert.equal(completesOnItsOwn(undefined), false);
    assert.equal(completesOnItsOwn({ _inputCallbacks: [() => undefined, () => undefined], _expectedDoneCount: 0 }), false);
    assert.equal(completesOnItsOwn({ _inputCallbacks: [() => undefined], _expectedDoneCount: 1 }), true);
  });
});

describe('useAckHooks', () => {
  const fakeHooks = () => {
    const table = new Map<string, (e: any) => void>();
    const hooks: Hooks = {
      add: (id, cb) => void table.set(id.split('.')[0], cb),
      remove: (id) => void table.delete(id.split('.')[0]),
      has: (id) => table.has(id.split('.')[0]),
    };
    return { hooks, fire: (id: string, e: unknown) => table.get(id)?.(e), table };
  };
  const withDone = { _inputCallback: (_m: unknown, _s: unknown, _d: unknown) => undefined };

  test('routed copies count until their node completes; a clone handed to a Catch node counts for nothing', () => {
    const l = new AckLedger();
    const settled: boolean[] = [];
    const { hooks, fire, table } = fakeHooks();
    const stop = useAckHooks(hooks, 'input-1', l);
    l.track('m', { settle: (_t: null, held: boolean) => settled.push(held) }, null);
    const msg = { _msgid: 'm' };
    const node = (type: string, done = true) => ({ node: { type, ...(done ? withDone : {}) } });
    fire('preDeliver', { msg }); // input -> normalizer
    l.sent('m');
    fire('preDeliver', { msg }); // normalizer -> link out
    fire('preDeliver', { msg: { ...msg } }); // and a clone to a second wire, a node without done
    fire('postReceive', { msg, destination: node('payload-normalizer') }); // takes done: waits for onComplete
    fire('onComplete', { msg, node: node('payload-normalizer') }); // normalizer done
    fire('onComplete', { msg, node: node('catch') }); // a Catch node's clone: not routed, no effect
    fire('postReceive', { msg, destination: { node: { type: 'status' } } }); // nor a Status node's
    fire('postReceive', { msg, destination: { node: { type: 'legacy' } } }); // a node without done: done when its handler ran
    assert.deepEqual(settled, [], 'the link out still has it');
    fire('onComplete', { msg, node: node('link out') });
    assert.deepEqual(settled, [false]);
    stop();
    assert.equal(table.size, 0, 'hooks removed with the last user');
  });
});
