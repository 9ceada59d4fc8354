import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import { flowVersion, installFlows, mergeFlows } from '../../app/flows';
import { tempDir } from '../support/services';

const tab = (id: string, version: string) => ({ id, type: 'tab', label: id, env: [{ name: 'FLOW_VERSION', value: version, type: 'str' }] });

function writeFlow(dir: string, name: string, nodes: unknown[]): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, name), JSON.stringify(nodes));
}

test('flowVersion reads FLOW_VERSION from the tab env, 0 without one', () => {
  assert.equal(flowVersion([tab('t', '1.2.0')]), '1.2.0');
  assert.equal(flowVersion([{ id: 'x', type: 'tab' }]), '0');
});

test('mergeFlows keeps a shared config node once and refuses duplicate flow nodes', () => {
  const broker = { id: 'mqtt-broker', type: 'mqtt-broker' };
  const merged = mergeFlows([
    { file: 'a', version: '1', nodes: [tab('a', '1'), broker, { id: 'n1', type: 'debug', z: 'a' }] },
    { file: 'b', version: '1', nodes: [tab('b', '1'), broker, { id: 'n2', type: 'debug', z: 'b' }] },
  ]);
  assert.deepEqual(
    merged.map((n) => n.id),
    ['a', 'mqtt-broker', 'n1', 'b', 'n2'],
  );
  assert.throws(
    () =>
      mergeFlows([
        { file: 'a', version: '1', nodes: [{ id: 'n1', type: 'debug', z: 'a' }] },
        { file: 'b', version: '1', nodes: [{ id: 'n1', type: 'debug', z: 'b' }] },
      ]),
    /n1 appears twice/,
  );
});

test('installFlows writes once, keeps editor changes, and re-merges when a version changes', () => {
  const root = tempDir('flows');
  const src = path.join(root, 'flows');
  const user = path.join(root, 'user');
  writeFlow(src, 'a.json', [tab('a', '1.0.0'), { id: 'n1', type: 'debug', z: 'a' }]);

  const first = installFlows(user, [src]);
  assert.equal(first.written, true);
  assert.deepEqual(first.versions, { 'a.json': '1.0.0' });

  // An edit made in the editor survives a restart with the same sources.
  const edited = JSON.parse(fs.readFileSync(first.flowFile, 'utf8'));
  edited.push({ id: 'mine', type: 'debug', z: 'a' });
  fs.writeFileSync(first.flowFile, JSON.stringify(edited));
  assert.equal(installFlows(user, [src]).written, false);
  assert.ok(JSON.parse(fs.readFileSync(first.flowFile, 'utf8')).some((n: { id: string }) => n.id === 'mine'));

  // A new version replaces the file and keeps a backup of the edited one.
  writeFlow(src, 'a.json', [tab('a', '1.1.0'), { id: 'n1', type: 'debug', z: 'a' }]);
  assert.equal(installFlows(user, [src]).written, true);
  assert.ok(!JSON.parse(fs.readFileSync(first.flowFile, 'utf8')).some((n: { id: string }) => n.id === 'mine'));
  assert.ok(JSON.parse(fs.readFileSync(`${first.flowFile}.bak`, 'utf8')).some((n: { id: string }) => n.id === 'mine'));
});

test('a flow file that is not JSON is named in the error', () => {
  const root = tempDir('flows-bad');
  fs.writeFileSync(path.join(root, 'broken.json'), '[{');
  assert.throws(() => installFlows(path.join(root, 'user'), [root]), /broken\.json is not valid JSON/);
});
