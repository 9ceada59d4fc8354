/** The package mounts /health/* and /metrics on Node-RED's admin server once, unless settings turn it off. */
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { helper, load, nodeModule } from '../support/red';

const flow = [
  { id: 't', type: 'tab' },
  { id: 'n', z: 't', type: 'payload-normalizer', wires: [[], []] },
];
// Two of our modules: the second must not mount the routes again.
const modules = [nodeModule('payload-normalizer'), nodeModule('threshold-alert')];

before(() => new Promise<void>((r) => helper.startServer(() => r())));
afterEach(() => helper.unload());
after(() => new Promise<void>((r) => helper.stopServer(() => r())));

test('health, readiness and metrics answer on httpAdmin in plugin mode', async () => {
  helper.settings({ iotHealthRoutes: undefined });
  await load(modules, flow);
  const live = await helper.request().get('/health/live');
  assert.equal(live.status, 200, JSON.stringify(live.body));
  const ready = await helper.request().get('/health/ready');
  assert.equal(ready.status, 200, JSON.stringify(ready.body));
  assert.equal(ready.body.status, 'ready');
  const metrics = await helper.request().get('/metrics');
  assert.equal(metrics.status, 200);
  assert.match(metrics.text, /^# HELP iot_readings_normalized_total/m);
  const routes = (helper._httpAdmin._router.stack as Array<{ route?: { path: string } }>).filter((l) => l.route?.path === '/metrics');
  assert.equal(routes.length, 1, 'mounted once');
});

test('iotHealthRoutes: false leaves them to the launcher', async () => {
  helper.settings({ iotHealthRoutes: false });
  await load(modules, flow);
  assert.equal((await helper.request().get('/health/ready')).status, 404);
});
