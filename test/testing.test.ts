import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { allNodeModules, example, examplesDir, nodeFiles, nodeModule } from '../nodes/testing';
import { REPO_ROOT } from './support/red';

const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { 'node-red': { nodes: Record<string, string> } };

test('testing: node files are package.json node-red section, as absolute paths that exist', () => {
  const files = nodeFiles();
  assert.deepEqual(Object.keys(files).sort(), Object.keys(pkg['node-red'].nodes).sort());
  for (const [type, file] of Object.entries(files)) {
    assert.equal(file, path.join(REPO_ROOT, pkg['node-red'].nodes[type]), type);
    assert.ok(fs.existsSync(file), `${file} is built`);
  }
});

test('testing: nodeModule loads one node type and names the known ones for an unknown type', () => {
  assert.equal(typeof nodeModule('threshold-alert'), 'function', 'what helper.load takes');
  assert.throws(() => nodeModule('no-such-node'), /no node type "no-such-node" in this package; known: .*threshold-alert/);
  const all = allNodeModules();
  assert.equal(all.length, Object.keys(pkg['node-red'].nodes).length);
  assert.ok(all.every((m) => typeof m === 'function'));
});

test('testing: example reads one flow of the examples folder', () => {
  assert.equal(examplesDir, path.join(REPO_ROOT, 'examples'));
  const name = fs.readdirSync(examplesDir).find((f) => f.endsWith('.json'));
  assert.ok(name, 'examples are built');
  const nodes = example(name.replace(/\.json$/, ''));
  assert.ok(Array.isArray(nodes) && nodes.length > 0);
  assert.ok(nodes.every((n) => typeof n.id === 'string' && typeof n.type === 'string'));
  assert.throws(() => example('no-such-example'), /ENOENT/);
});
