/**
 * Durable acknowledgement bookkeeping: the ack ledger (when a message is
 * settled), the hooks' view of which nodes complete on their own, and the
 * deferred PUBACKs (order, redelivery, reconnection).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AckLedger } from '../../nodes/common/ack-ledger';
import { completesOnItsOwn, useAckHooks, type Hooks } from '../../nodes/common/ack-hooks';
import { DeferredAcks } from '../../nodes/sensor-input/deferred-acks';

describe('AckLedger', () => {
  const tracked = (ledger: AckLedger, id: string) => {
    const settled: boolean[] = [];
    ledger.track(id, { settle: (_token: string, held: boolean) => settled.push(held) }, id);
    return settled;
  };

  test('a message sent nowhere settles at once; one delivered settles when its node is done', () => {
    const l = new AckLedger();
    const a = tracked(l, 'a');
    l.sent('a');
    assert.deepEqual(a, [false]);
    const b = tracked(l, 'b');
    l.delivered('b');
    l.sent('b');
    assert.deepEqual(b, []);
    l.completed('b');
    assert.deepEqual(b, [false]);
    assert.equal(l.size, 0);
  });

  test('fan-out: settles only when every copy is done, and the next hop is counted before the sender completes', () => {
    const l = new AckLedger();
    const s = tracked(l, 'm');
    l.delivered('m'); // to the normalizer
    l.sent('m');
    l.delivered('m'); // normalizer -> link out (counted at send time)
    l.completed('m'); // normalizer done
    l.delivered('m'); // link out -> storage
    l.delivered('m'); // link out -> alerts
    l.completed('m'); // link out done
    l.completed('m'); // alerts done
    assert.deepEqual(s, []);
    l.completed('m'); // storage done
    assert.deepEqual(s, [false]);
  });

  test('a hold keeps the message until released, whatever the completions; a release without a hold does nothing', () => {
    const l = new AckLedger();
    const s = tracked(l, 'm');
    l.delivered('m');
    l.sent('m');
    assert.equal(l.hold('m'), true);
    assert.equal(l.hold('m'), true);
    l.completed('m');
    l.release('m');
    assert.deepEqual(s, [], 'one hold left');
    l.release('m');
    assert.deepEqual(s, [true]);
    l.release('m');
    assert.deepEqual(s, [true]);
    assert.equal(l.hold('m'), false, 'a settled message takes no hold');
    assert.equal(l.hold('unknown'), false);
  });

  test('the sweep settles messages left open by a node that never completes, but never a held one', () => {
    let now = 0;
    const l = new AckLedger(() => now);
    const open = tracked(l, 'open');
    const held = tracked(l, 'held');
    for (const id of ['open', 'held']) {
      l.delivered(id);
      l.sent(id);
    }
    l.hold('held');
    now = 59_000;
    assert.equal(l.sweep(60_000), 0);
    now = 61_000;
    assert.equal(l.sweep(60_000), 1);
    assert.deepEqual([open, held], [[false], []]);
    assert.equal(l.stale, 1);
    l.release('held');
    assert.deepEqual(held, [], 'still open: a node never completed it');
    assert.equal(l.sweep(60_000), 1);
    assert.deepEqual(held, [true]);
  });

  test('adopt keeps a message past the sweep until handed back, and handBack passes on whether a writer held its batch', () => {
    let now = 0;
    const l = new AckLedger(() => now);
    const a = tracked(l, 'a');
    const b = tracked(l, 'b');
    l.delivered('a');
    l.delivered('b');
    assert.equal(l.adopt('a'), true);
    assert.equal(l.adopt('b'), true);
    assert.equal(l.adopt('nope'), false, 'an untracked message cannot be adopted');
    l.completed('a');
    l.completed('b');
    now = 10_000;
    assert.equal(l.sweep(1000), 0, 'an adopted message is never swept');
    assert.deepEqual([a, b], [[], []]);
    l.handBack('a', true);
    l.handBack('b', false);
    assert.deepEqual([a, b], [[true], [false]]);
    l.handBack('a', true);
    assert.deepEqual(a, [true], 'a second handBack does nothing');
  });

  test('untracked ids and non-string ids are ignored', () => {
    const l = new AckLedger();
    l.delivered(undefined);
    l.completed(42);
    l.completed('nope');
    assert.equal(l.size, 0);
  });
});

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

describe('DeferredAcks', () => {
  const make = () => {
    const sent: number[][] = [];
    return { acks: new DeferredAcks((acked) => sent.push(acked.map((p) => p.id))), sent };
  };
  const arrive = (acks: DeferredAcks, id: number, topic = 't', dup = false) => {
    const a = acks.arrive(id, topic, 10, dup);
    assert.equal(a.kind, 'new');
    return (a as { pending: Parameters<DeferredAcks['settle']>[0] }).pending;
  };

  test('acknowledgements go out in arrival order, a settled message waiting for the ones before it', () => {
    const { acks, sent } = make();
    const [p1, p2, p3] = [arrive(acks, 1), arrive(acks, 2), arrive(acks, 3)];
    assert.equal(acks.holds(2), true);
    acks.settle(p2);
    acks.settle(p3);
    assert.deepEqual(sent, []);
    acks.settle(p1);
    assert.deepEqual(sent, [[1, 2, 3]]);
    assert.equal(acks.size, 0);
    assert.equal(acks.holds(2), false);
  });

  test('a message settled with ack=false is never acknowledged, and does not block the others', () => {
    const { acks, sent } = make();
    const [p1, p2] = [arrive(acks, 1), arrive(acks, 2)];
    acks.settle(p1, false);
    acks.settle(p2);
    assert.deepEqual(sent, [[2]]);
  });

  test('after a reconnection with the session kept, a redelivery is matched and acknowledged once on the new connection', () => {
    const { acks, sent } = make();
    const p1 = arrive(acks, 1, 'a');
    const p2 = arrive(acks, 2, 'b');
    acks.disconnected();
    acks.connected(true);
    assert.deepEqual(acks.arrive(1, 'a', 10, true), { kind: 'redelivered' });
    acks.settle(p1);
    acks.settle(p2); // never redelivered: its acknowledgement belongs to the old connection
    assert.deepEqual(sent, [[1]]);
    assert.equal(acks.redelivered, 1);
  });

  test('a redelivery of a message already settled while disconnected is acknowledged at once', () => {
    const { acks, sent } = make();
    const p1 = arrive(acks, 7, 'a');
    acks.disconnected();
    acks.settle(p1);
    assert.deepEqual(sent, []);
    acks.connected(true);
    // Settled and gone from the queue: the broker's copy is a new message to the flow (same point when written again).
    assert.equal(acks.arrive(7, 'a', 10, true).kind, 'new');
  });

  test('an id reused for another message (topic differs) is a new message; without a kept session nothing old is acknowledged', () => {
    const { acks, sent } = make();
    const p1 = arrive(acks, 1, 'a');
    acks.disconnected();
    acks.connected(true);
    const p1b = arrive(acks, 1, 'other', true);
    acks.settle(p1);
    acks.settle(p1b);
    assert.deepEqual(sent, [[1]]);
    const p3 = arrive(acks, 3);
    acks.disconnected();
    acks.connected(false);
    acks.settle(p3);
    assert.deepEqual(sent, [[1]]);
  });
});
