/**
 * node-red-node-test-helper, initialised once against the installed Node-RED,
 * with promise wrappers so node:test cases can await flows.
 */
import path from 'path';
import { after, afterEach, before } from 'node:test';
import { missing, type Service, startMosquitto } from './services';

export const helper = require('node-red-node-test-helper');
helper.init(require.resolve('node-red'), { userDir: undefined });

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** Compiled entry of one of our nodes, e.g. nodeModule('payload-normalizer'). */
export function nodeModule(name: string): unknown {
  return require(path.join(REPO_ROOT, 'dist', 'nodes', name, `${name}.js`));
}

export function load(nodes: unknown[], flow: unknown[], credentials?: Record<string, unknown>): Promise<void> {
  return new Promise((resolve, reject) => {
    try {
      helper.load(nodes, flow, credentials || {}, () => resolve());
    } catch (err) {
      reject(err);
    }
  });
}

export async function startServer(): Promise<void> {
  await new Promise<void>((resolve) => helper.startServer(() => resolve()));
}

export async function stopServer(): Promise<void> {
  await helper.unload();
  await new Promise<void>((resolve) => helper.stopServer(() => resolve()));
}

/** Resolves with the next `count` messages a helper node receives, or rejects after `timeoutMs`. */
export function collect<T = any>(nodeId: string, count: number, timeoutMs = 5000): Promise<T[]> {
  const node = helper.getNode(nodeId);
  if (!node) throw new Error(`no node ${nodeId} in the loaded flow`);
  return new Promise((resolve, reject) => {
    const got: T[] = [];
    const timer = setTimeout(() => reject(new Error(`node ${nodeId} received ${got.length} of ${count} messages in ${timeoutMs} ms`)), timeoutMs);
    node.on('input', (msg: T) => {
      got.push(msg);
      if (got.length === count) {
        clearTimeout(timer);
        resolve(got);
      }
    });
  });
}

/**
 * Hooks for a test file that runs flows against a real Mosquitto: one broker
 * and the helper's server for the file, the flow unloaded after each test.
 * `skip` is set (and fails under CI) when Mosquitto is not installed.
 */
export function mosquittoSuite(): { skip: string | undefined; broker: () => Service } {
  const skip = missing('mosquitto');
  let broker: Service | undefined;
  before(async () => {
    if (skip) return;
    broker = await startMosquitto();
    await startServer();
  });
  afterEach(() => helper.unload());
  after(async () => {
    if (!skip) await stopServer();
    await broker?.stop();
  });
  return {
    skip,
    broker: () => {
      if (!broker) throw new Error('Mosquitto is not running');
      return broker;
    },
  };
}
