/**
 * flows/storage.json as shipped: its shape, and Readings entering its link in
 * end up in a real InfluxDB 1.x (configured through INFLUX_* variables).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { helper, load, REPO_ROOT } from '../support/red';
import { missing, Service, startInflux1, tempDir } from '../support/services';
import { countPoints, until, writerModules } from './influx-support';

const flow = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'flows', 'storage.json'), 'utf8')) as Array<Record<string, any>>;
const skip = missing('influxd');
let influx: Service | undefined;
after(async () => {
  await helper.unload();
  await influx?.stop();
});

test('storage.json: one versioned Storage tab with a changelog, and every flow node on it', () => {
  const tabs = flow.filter((n) => n.type === 'tab');
  assert.equal(tabs.length, 1);
  assert.equal(tabs[0].label, 'Storage');
  assert.equal(tabs[0].env.length, 1);
  assert.equal(tabs[0].env[0].name, 'FLOW_VERSION');
  assert.match(tabs[0].info, new RegExp(`## Changelog[\\s\\S]*${tabs[0].env[0].value.replace(/\./g, '\\.')}`));
  for (const n of flow.filter((x) => x.type !== 'tab' && x.type !== 'iot-influxdb-config')) assert.equal(n.z, tabs[0].id, n.id);
  const link = flow.find((n) => n.id === 'readings-in-storage');
  assert.equal(link?.type, 'link in');
  assert.ok(link?.links.includes('readings-out'));
  const cfg = flow.find((n) => n.id === 'influxdb-default');
  assert.equal(cfg?.url, '${INFLUX_URL}');
  assert.equal(JSON.stringify(flow).includes('token'), false, 'no secret in the flow file');
});

test('Readings entering readings-in-storage are written to InfluxDB', { skip, timeout: 60_000 }, async () => {
  influx = await startInflux1();
  Object.assign(process.env, { DATA_DIR: tempDir('storage-flow'), INFLUX_URL: influx.url, INFLUX_VERSION: '1', INFLUX_DB: 'flowtest' });
  const core = path.join(REPO_ROOT, 'node_modules', '@node-red', 'nodes', 'core', 'common');
  await load(
    [
      require(path.join(core, '60-link.js')),
      require(path.join(core, '21-debug.js')),
      require(path.join(core, '25-catch.js')),
      require(path.join(core, '90-comment.js')),
      ...writerModules(),
    ],
    flow,
  );
  const input = helper.getNode('readings-in-storage');
  for (let i = 0; i < 50; i++) {
    input.receive({
      topic: `sensors/d${i}/env`,
      payload: { deviceId: `d${i}`, sensorType: 'env', ts: 1_700_000_000_000 + i, metrics: { temperature: 21 }, received: 0 },
    });
  }
  await until('50 points via the flow', async () => (await countPoints(influx!.url, 'flowtest', 'env', 'temperature')) === 50, 30_000);
});
