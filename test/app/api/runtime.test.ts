import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { RuntimeBridge, Runtime, RuntimeNode } from '../../../app/api/runtime';
import { HttpError } from '../../../app/api/validate';
import { helper, load, startServer, stopServer } from '../../support/red';

// The runtime's hooks (what the app hands the bridge as RED.hooks); the test helper's RED lacks them.
const hooks: Runtime['hooks'] = require('@node-red/util').hooks;

/** A node type that answers as our control handlers do: done(err), a reply, or done later. */
function probeModule(RED: { nodes: { createNode(n: object, def: object): void; registerType(t: string, c: unknown): void } }) {
  RED.nodes.registerType('api-probe', function (this: { on(event: string, fn: (...args: never[]) => void): void }, def: object) {
    RED.nodes.createNode(this, def);
    this.on('input', (msg: Record<string, unknown>, send: (m: object) => void, done: (err?: Error) => void) => {
      if (msg.fail) return done(new Error(String(msg.fail)));
      if (msg.later) return void setTimeout(() => done(), 20);
      send({ payload: 'answer', kind: 'reply' });
      send({ payload: 'onward' });
      done();
    });
  });
}

const flow = [
  { id: 't1', type: 'tab', label: 'on' },
  { id: 't2', type: 'tab', label: 'off', disabled: true },
  { id: 'p1', type: 'api-probe', z: 't1', wires: [['sink']] },
  { id: 'p2', type: 'api-probe', z: 't1', d: true, wires: [] },
  { id: 'p3', type: 'api-probe', z: 't2', wires: [] },
  { id: 'sink', type: 'helper', z: 't1' },
];

let started = true;
const bridge = (): RuntimeBridge =>
  new RuntimeBridge({ nodes: { getNode: (id) => helper._redNodes.getNode(id), getFlows: () => helper._redNodes.getFlows() }, hooks }, () => started);

before(startServer);
afterEach(() => helper.unload());
after(stopServer);

test('runtime bridge: only deployed, enabled nodes on enabled tabs; 503 while the flows start', async () => {
  await load([probeModule], flow);
  const b = bridge();
  assert.deepEqual(
    b.definitions('api-probe').map((d) => d.id),
    ['p1'],
  );
  assert.deepEqual(
    b.nodes('api-probe').map((n) => n.node.id),
    ['p1'],
  );
  assert.deepEqual(
    b.nodes('api-probe', () => false),
    [],
  );
  assert.equal(b.node('nope'), undefined);
  started = false;
  try {
    assert.throws(
      () => b.definitions('api-probe'),
      (err: HttpError) => err.status === 503 && /flows are starting/.test(err.message),
    );
  } finally {
    started = true;
  }
});

test('runtime bridge: deliver reports done(err) and keeps the reply from going on', async () => {
  await load([probeModule], flow);
  const b = bridge();
  const p1 = b.node('p1') as RuntimeNode;
  const failed = b.deliver(p1, { fail: 'bad action' });
  assert.deepEqual([failed.settled, failed.error?.message], [true, 'bad action']);
  const onward: unknown[] = [];
  helper.getNode('sink').on('input', (m: { payload: unknown }) => onward.push(m.payload));
  const kept = b.deliver(p1, { payload: 'list' }, (m) => m.kind === 'reply');
  assert.deepEqual([kept.settled, kept.error, kept.kept.map((m) => m.payload)], [true, undefined, ['answer']]);
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(onward, ['onward'], 'the kept reply was not delivered, the other message was');
  const later = b.deliver(p1, { later: true });
  assert.equal(later.settled, false, 'not finished within the call');
});

test('runtime bridge: deliverSettled waits for a late done, or gives up after the timeout', async () => {
  await load([probeModule], flow);
  const b = bridge();
  const p1 = b.node('p1') as RuntimeNode;
  assert.deepEqual(await b.deliverSettled(p1, { later: true }, 2000), { settled: true, error: undefined });
  assert.deepEqual(await b.deliverSettled(p1, { later: true }, 1), { settled: false });
});
