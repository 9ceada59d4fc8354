/**
 * For testers (`require('node-red-iot-flow-engine/testing')`): the node
 * modules to hand to node-red-node-test-helper, and the example flows.
 * See docs/testing.md.
 */
import fs from 'fs';
import path from 'path';

const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');

interface NodeRedSection {
  nodes: Record<string, string>;
}

/** Node type -> absolute path of its compiled module, as package.json's `node-red` section lists them. */
export function nodeFiles(): Record<string, string> {
  const pkg = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { 'node-red': NodeRedSection };
  return Object.fromEntries(Object.entries(pkg['node-red'].nodes).map(([type, file]) => [type, path.join(PACKAGE_ROOT, file)]));
}

/** The module of one node type (what `helper.load` takes), e.g. `nodeModule('threshold-alert')`. */
export function nodeModule(type: string): unknown {
  const file = nodeFiles()[type];
  if (!file) throw new Error(`no node type "${type}" in this package; known: ${Object.keys(nodeFiles()).join(', ')}`);
  return require(file);
}

/** Every node module of the package, for a test that loads a whole flow file. */
export function allNodeModules(): unknown[] {
  return Object.keys(nodeFiles()).map(nodeModule);
}

/** The folder of the Import > Examples flows. */
export const examplesDir = path.join(PACKAGE_ROOT, 'examples');

/** The nodes of one example, e.g. `example('alerts')`. */
export function example(name: string): Array<Record<string, unknown> & { id: string; type: string }> {
  return JSON.parse(fs.readFileSync(path.join(examplesDir, `${name}.json`), 'utf8'));
}
