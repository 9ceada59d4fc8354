/** isIgnore tells a topic the decoder owns but drops from a route to a reading. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isIgnore } from '../../../nodes/payload-normalizer/decoders/types';

test('an Ignore is told apart from a Route and from no match', () => {
  assert.equal(isIgnore({ ignore: 'command topic' }), true);
  assert.equal(isIgnore({ ignore: '' }), true, 'an empty reason is still an Ignore');
  assert.equal(isIgnore({ deviceId: 'plug', sensorType: 'tasmota', kind: 'sensor' }), false);
  assert.equal(isIgnore(null), false);
});
