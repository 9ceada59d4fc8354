import assert from 'node:assert/strict';
import path from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { helper, load, REPO_ROOT, startServer, stopServer } from '../support/red';

const configNode = require(path.join(REPO_ROOT, 'dist', 'nodes', 'influxdb', 'influxdb-config.js'));

before(startServer);
afterEach(() => helper.unload());
after(stopServer);

test('influxdb config node: parses its settings and resolves its credentials, the dialog ones first', async () => {
  const flow = [{ id: 'cfg', type: 'iot-influxdb-config', name: 'db', version: '1', url: 'http://127.0.0.1:8086', database: 'iot' }];
  await load([configNode], flow, { cfg: { user: 'reader', password: 's3cret' } });
  const node = helper.getNode('cfg');
  assert.equal(node.configError, undefined);
  assert.deepEqual([node.influx.version, node.influx.url, node.influx.database], [1, 'http://127.0.0.1:8086', 'iot']);
  assert.deepEqual(node.resolvedCredentials(), { user: 'reader', password: 's3cret' });
});

test('influxdb config node: credentials in the URL are used when the dialog has none, and kept out of the URL', async () => {
  const flow = [{ id: 'cfg', type: 'iot-influxdb-config', version: '2', url: 'http://bob:pw@127.0.0.1:8086', org: 'o', bucket: 'b' }];
  // INFLUX_TOKEN (the environment's) would come before the URL's credentials: not set here.
  const token = process.env.INFLUX_TOKEN;
  delete process.env.INFLUX_TOKEN;
  try {
    await load([configNode], flow);
    const node = helper.getNode('cfg');
    assert.equal(node.influx.url, 'http://127.0.0.1:8086');
    assert.deepEqual(node.resolvedCredentials(), { user: 'bob', password: 'pw' });
  } finally {
    if (token !== undefined) process.env.INFLUX_TOKEN = token;
  }
});

test('influxdb config node: a bad setting is kept as its config error and logged, not thrown', async () => {
  const flow = [{ id: 'cfg', type: 'iot-influxdb-config', name: 'broken', version: '7', url: 'http://127.0.0.1:8086' }];
  await load([configNode], flow);
  const node = helper.getNode('cfg');
  assert.match(node.configError, /version must be 1 or 2/);
  assert.equal(node.influx, undefined);
  const logged = helper.log().args.filter((a: Array<{ level: number; msg: unknown }>) => a[0].level === helper.log().ERROR);
  assert.ok(
    logged.some((a: Array<{ msg: unknown }>) => /iot-influxdb-config "broken": version must be 1 or 2/.test(String(a[0].msg))),
    JSON.stringify(logged),
  );
});
