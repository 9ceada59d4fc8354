/** The ack ledger: when a durably acknowledged message is settled (fan-out, holds, the sweep). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AckLedger } from '../../nodes/common/ack-ledger';

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
