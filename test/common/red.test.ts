import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tempDataDir } from '../../nodes/common/data-dir';
import { dataDir, NodeAPI } from '../../nodes/common/red';

const red = (settings: Record<string, unknown>): NodeAPI => ({ settings }) as unknown as NodeAPI;

test('dataDir: from the runtime settings, iotDataDir before userDir', () => {
  assert.equal(dataDir(red({ iotDataDir: '/srv/iot', userDir: '/home/pi/.node-red' })), '/srv/iot');
  assert.equal(dataDir(red({ userDir: '/home/pi/.node-red' })), '/home/pi/.node-red');
  if (!process.env.DATA_DIR) assert.equal(dataDir(red({})), tempDataDir());
});
