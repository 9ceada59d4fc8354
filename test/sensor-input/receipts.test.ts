/** The receive-time log: survives a reopen, matches only the same message, rotates. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { messageHash, ReceiptLog } from '../../nodes/sensor-input/receipts';
import { tempDir } from '../support/services';

test('a receipt survives a reopen and matches only the same packet id, size and content', () => {
  const dir = tempDir('receipts');
  const payload = Buffer.from('{"confidence":0.95,"location":"entrance"}');
  const hash = messageHash('sensors/raspberry-01/motion', payload);
  const log = new ReceiptLog(dir);
  log.record([{ id: 7, bytes: payload.length, hash, receivedAt: 1_790_000_000_123 }]);
  log.close();
  const again = new ReceiptLog(dir);
  assert.equal(again.lookup(7, payload.length, hash), 1_790_000_000_123);
  assert.equal(again.lookup(8, payload.length, hash), undefined, 'another packet id');
  assert.equal(again.lookup(7, payload.length + 1, hash), undefined, 'another size');
  const other = messageHash('sensors/raspberry-01/motion', Buffer.from('{"confidence":0.96,"location":"entrance"}'));
  assert.notEqual(other, hash);
  assert.equal(again.lookup(7, payload.length, other), undefined, 'same id and size, other content: an id the broker reused');
  assert.notEqual(messageHash('a/b', payload), messageHash('a/c', payload), 'the topic counts');
});

test('the newest receipt of an id wins; the log rotates into two bounded files', () => {
  const dir = tempDir('receipts');
  const log = new ReceiptLog(dir, 100);
  for (let i = 0; i < 175; i++) log.record([{ id: i % 60, bytes: 10, hash: i, receivedAt: 1000 + i }]);
  log.close();
  const sizes = ['receipts', 'receipts.old'].map((f) => fs.statSync(path.join(dir, f)).size / 20);
  assert.ok(
    sizes.every((n) => n <= 50),
    `each file holds at most maxRecords/2 records: ${sizes}`,
  );
  const again = new ReceiptLog(dir, 100);
  assert.equal(again.lookup(174 % 60, 10, 174), 1174);
  assert.equal(again.lookup(14, 10, 14), undefined, 'an old receipt of a reused id no longer matches');
});
