/** What TTN and ChirpStack uplinks share: the decoded object as metrics, and the best gateway's RSSI / SNR. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decoded, radio } from '../../../nodes/payload-normalizer/decoders/lorawan';
import { Draft } from '../../../nodes/payload-normalizer/draft';

const draft = (): Draft => new Draft({ maxDepth: 8, maxKeys: 100 });
const metrics = (d: Draft): Record<string, number> => Object.fromEntries(d.mNames.map((n, i) => [n, d.mValues[i]]));

test('decoded walks the codec output as metrics; a missing object is no metric and no failure', () => {
  const d = draft();
  assert.equal(decoded(d, { temperature: 21.5, battery: { voltage: 3.1 } }), true);
  assert.deepEqual(metrics(d), { temperature: 21.5, battery_voltage: 3.1 });
  const none = draft();
  assert.equal(decoded(none, undefined), true);
  assert.deepEqual(metrics(none), {});
});

test('radio keeps the gateway with the strongest RSSI, its SNR (snr or loRaSNR), and the gateway count', () => {
  const d = draft();
  radio(d, [{ rssi: -110, snr: 2 }, { rssi: -80, loRaSNR: 9.5 }, 'junk', { channel_rssi: -95, snr: 5 }]);
  assert.deepEqual(metrics(d), { rssi: -80, snr: 9.5, gateways: 4 });
  assert.equal(d.mUnits[0], 'dBm');
  const v3 = draft();
  radio(v3, [{ channel_rssi: -100 }]);
  assert.deepEqual(metrics(v3), { rssi: -100, gateways: 1 }, 'no SNR given: none written');
});

test('radio writes nothing without gateway metadata', () => {
  for (const rx of [undefined, [], [{ snr: 3 }], 'gateways']) {
    const d = draft();
    radio(d, rx);
    assert.deepEqual(metrics(d), {}, JSON.stringify(rx));
  }
});
