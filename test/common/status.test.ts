/** The status vocabulary: one fill and shape per meaning, text redacted then clipped. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { status } from '../../nodes/common/status';

test('each meaning has its colour and shape', () => {
  assert.deepEqual(status.ok('ready'), { fill: 'green', shape: 'dot', text: 'ready' });
  assert.deepEqual(status.busy('writing'), { fill: 'blue', shape: 'dot', text: 'writing' });
  assert.deepEqual(status.degraded('spooling'), { fill: 'yellow', shape: 'ring', text: 'spooling' });
  assert.deepEqual(status.failed('down'), { fill: 'red', shape: 'ring', text: 'down' });
  assert.deepEqual(status.absent('no GPIO'), { fill: 'grey', shape: 'ring', text: 'no GPIO' });
  assert.deepEqual(status.clear(), {});
});

test('long texts are clipped to 60 characters with an ellipsis; short ones are kept whole', () => {
  const long = status.failed('x'.repeat(100)).text!;
  assert.equal(long.length, 60);
  assert.ok(long.endsWith('…'));
  assert.equal(status.ok('y'.repeat(60)).text, 'y'.repeat(60));
});

test('a secret in the text is redacted before the text is clipped', () => {
  // The password runs across the 60-character cut: clipped first, its start would stay readable.
  const raw = `${'w'.repeat(44)} http://u:secretpassword@influx:8086/write`;
  const text = status.failed(raw).text!;
  assert.doesNotMatch(text, /secr/);
  assert.equal(text, `${'w'.repeat(44)} http://u:***@i…`);
});
