import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import { AckLedger } from '../../nodes/common/ack-ledger';
import { DurableIntake, openReceipts, Tracked } from '../../nodes/sensor-input/durable-intake';
import { ReceiptLog } from '../../nodes/sensor-input/receipts';
import { tempDir } from '../support/services';

// A real mqtt.js client that never connects: the intake wraps its packet writer.
const client = (): MqttClient => mqtt.connect('mqtt://127.0.0.1:1', { manualConnect: true, reconnectPeriod: 0 });
const packet = (messageId: number, dup = false): IPublishPacket =>
  ({ cmd: 'publish', topic: 'sensors/d1/env', payload: Buffer.from('{"t":1}'), qos: 1, dup, retain: false, messageId }) as IPublishPacket;

test('openReceipts: a log in a usable folder; a warning and none when the folder cannot be made', () => {
  const dir = tempDir('receipts');
  assert.ok(openReceipts(path.join(dir, 'r'), assert.fail) instanceof ReceiptLog);
  fs.writeFileSync(path.join(dir, 'file'), 'x');
  const warned: string[] = [];
  assert.equal(
    openReceipts(path.join(dir, 'file', 'r'), (t) => warned.push(t)),
    undefined,
  );
  assert.equal(warned.length, 1);
  assert.match(warned[0], /^receive-time log unavailable \(.*\): a reading without a device time sent again after a crash gets a new time$/);
});

test('durable intake: refuses a client it cannot hold acknowledgements for', () => {
  const ledger = new AckLedger();
  assert.throws(
    () => new DurableIntake({} as MqttClient, { ledger, maxOpenMs: 1000, install: 'i' }, 'n1', undefined, Date.now),
    /this mqtt.js has no _sendPacket: durable acknowledgement is not available/,
  );
});

test('durable intake: takes the PUBACK from mqtt.js, tracks each new message, hands a redelivery on only once', () => {
  const c = client();
  const ledger = new AckLedger();
  const intake = new DurableIntake(c, { ledger, maxOpenMs: 1000, install: 'i' }, 'n1', undefined, () => 5000);
  let called = false;
  (c as unknown as { _sendPacket(p: object, cb: () => void): void })._sendPacket({ cmd: 'puback', messageId: 1 }, () => (called = true));
  assert.equal(called, true, 'mqtt.js is told the PUBACK went, so it does not send it itself');

  const emitted: Array<{ n: number } & Tracked> = [];
  const buf = packet(7).payload as Buffer;
  intake.take(
    packet(7),
    buf,
    () => ({ n: 1 }),
    (m) => {
      emitted.push(m);
      ledger.delivered(m._msgid); // a node got it
    },
  );
  assert.deepEqual(emitted, [{ n: 1, _msgid: 'n1-1', received: 5000 }]);
  assert.equal(ledger.size, 1, 'tracked until the flow is done');
  assert.equal(intake.acks.holds(7), true, 'not acknowledged yet');

  intake.acks.disconnected();
  intake.take(
    packet(7, true),
    buf,
    () => ({ n: 2 }),
    (m) => emitted.push(m),
  );
  assert.equal(emitted.length, 1, 'the broker sent it again while the flow still has it');

  ledger.completed('n1-1');
  assert.equal(ledger.size, 0);
});
