/**
 * The app's fleet share (app/fleet-share.ts) against a real redis-server:
 * off without REDIS_URL; with it, what one instance offers reaches another
 * within the exchange period set by FLEET_SHARE_INTERVAL_S.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startFleetShare } from '../../app/fleet-share';
import { missing, Service, startRedis, tempDir } from '../support/services';

const skip = missing('redis-server');
let redis: Service | undefined;
before(async () => {
  if (!skip) redis = await startRedis();
});
after(async () => {
  await redis?.stop();
});

test('without REDIS_URL there is no fleet share', () => {
  assert.equal(startFleetShare({}, tempDir('fleet-share-off')), undefined);
});

test('with REDIS_URL, a device offered by one instance is taken by the other', { skip, timeout: 20_000 }, async () => {
  const env = { REDIS_URL: redis!.url, FLEET_SHARE_INTERVAL_S: '1' };
  const a = startFleetShare(env, tempDir('fleet-share-a'))!;
  const b = startFleetShare(env, tempDir('fleet-share-b'))!;
  try {
    const now = Date.now();
    a.share.offer([{ deviceId: 'dev-a', sensorTypes: ['env'], metrics: { temperature: { v: 21.5, u: '°C', ts: now, st: 'env' } }, lastSeen: now }]);
    let got: ReturnType<typeof b.share.take> = [];
    const end = Date.now() + 10_000;
    while (!got.some((d) => d.deviceId === 'dev-a') && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 200));
      got = got.concat(b.share.take());
    }
    const dev = got.find((d) => d.deviceId === 'dev-a');
    assert.ok(dev, 'the other instance took the device');
    assert.equal(dev.metrics.temperature.v, 21.5);
    assert.equal(
      a.share.take().some((d) => d.deviceId === 'dev-a'),
      false,
      'an instance does not take back what it wrote itself',
    );
  } finally {
    await a.close();
    await b.close();
  }
});
