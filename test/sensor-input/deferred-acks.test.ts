/** Deferred PUBACKs: arrival order, redelivery, reconnection. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DeferredAcks } from '../../nodes/sensor-input/deferred-acks';

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
