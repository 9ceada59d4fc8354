/**
 * Output 1 in batches: a batch carries the durable acknowledgement of the
 * messages its Readings came from (acked-batches.ts), with a real ack ledger.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AckLedger } from '../../nodes/common/ack-ledger';
import type { Reading } from '../../nodes/common/types';
import { AckedBatches, type BatchMessage } from '../../nodes/payload-normalizer/acked-batches';

const reading = (deviceId: string): Reading => ({ deviceId, sensorType: 't', ts: 1, metrics: { v: 1 }, received: 1 });

function setup(max = 3) {
  let now = 0;
  const ledger = new AckLedger(() => now);
  const settled: Array<[string, boolean]> = [];
  const source = (id: string): string => {
    ledger.track(id, { settle: (token: string, held: boolean) => settled.push([token, held]) }, id);
    ledger.delivered(id); // to the normalizer
    ledger.sent(id);
    return id;
  };
  const sent: BatchMessage[] = [];
  let n = 0;
  // The runtime's preDeliver hook counts the delivery to the next node during the send.
  const deliver = (m: BatchMessage): void => {
    sent.push(m);
    ledger.delivered(m._msgid);
  };
  const batches = new AckedBatches(ledger, 60_000, max, deliver, () => `batch-${++n}`);
  return { ledger, settled, source, sent, batches, tick: (ms: number) => (now += ms) };
}

test('a batch goes out when full; its sources settle only when the batch does, held when a writer held it', () => {
  const { ledger, settled, source, sent, batches } = setup(3);
  for (const id of ['m1', 'm2', 'm3']) {
    batches.push(reading(id), source(id));
    ledger.completed(id); // the normalizer's done()
  }
  assert.equal(sent.length, 1);
  assert.deepEqual(
    sent[0].payload.map((r) => r.deviceId),
    ['m1', 'm2', 'm3'],
  );
  assert.equal(sent[0].count, 3);
  assert.equal(sent[0].topic, 'readings');
  assert.deepEqual(settled, [], 'nothing settles while the batch is on its way');
  // The writer holds the batch until written.
  assert.equal(ledger.hold(sent[0]._msgid), true);
  ledger.completed(sent[0]._msgid);
  assert.deepEqual(settled, []);
  ledger.release(sent[0]._msgid);
  assert.deepEqual(settled, [
    ['m1', true],
    ['m2', true],
    ['m3', true],
  ]);
  assert.equal(ledger.size, 0);
});

test('a batch nobody holds settles its sources unheld; a batch whose node never completes is swept, its sources with it', () => {
  const { ledger, settled, source, sent, batches, tick } = setup(10);
  batches.push(reading('a'), source('a'));
  ledger.completed('a');
  batches.flush();
  ledger.completed(sent[0]._msgid); // a node that drops it
  assert.deepEqual(settled, [['a', false]]);

  batches.push(reading('b'), source('b'));
  ledger.completed('b');
  batches.flush();
  // The node that got sent[1] never completes.
  tick(5000);
  assert.deepEqual(settled, [['a', false]]);
  ledger.sweep(1000);
  assert.deepEqual(settled, [
    ['a', false],
    ['b', false],
  ]);
  assert.equal(ledger.size, 0);
});

test('readings whose message is not tracked (QoS 0, another input) travel in an untracked batch', () => {
  const { ledger, sent, batches } = setup(2);
  batches.push(reading('x'), 'untracked-id');
  batches.push(reading('y'), undefined);
  assert.equal(sent.length, 1);
  assert.equal(sent[0].count, 2);
  assert.equal(ledger.size, 0, 'the batch itself is not tracked');
  assert.equal(batches.waiting, 0);
});
