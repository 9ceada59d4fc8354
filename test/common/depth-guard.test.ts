/** depth-guard: deep messages are found without recursion and dropped from a send before any clone. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deeperThan, installDepthGuard, installDepthGuardOnce } from '../../nodes/common/depth-guard';
import { metrics } from '../../nodes/common/metrics';

const nest = (depth: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
};

test('deeperThan counts levels, at any depth, through arrays, and ignores buffers and cycles', () => {
  assert.equal(deeperThan(nest(3), 3), false);
  assert.equal(deeperThan(nest(4), 3), true);
  assert.equal(deeperThan(nest(100_000), 64), true);
  assert.equal(deeperThan([[[1]]], 3), false);
  assert.equal(deeperThan([[[[1]]]], 3), true);
  assert.equal(deeperThan({ b: Buffer.alloc(10_000) }, 2), false);
  const cyclic: Record<string, unknown> = { x: 1 };
  cyclic.self = cyclic;
  assert.equal(deeperThan(cyclic, 64), false);
  assert.equal(deeperThan('text', 1), false);
});

test('the onSend hook drops only the deep messages, counts and warns once a minute per node', async () => {
  let hook: ((events: Array<{ msg: unknown; source: unknown }>) => void) | undefined;
  installDepthGuard(
    {
      add: (_n, fn) => {
        hook = fn as typeof hook;
      },
      remove: () => undefined,
    },
    10,
  );
  const warnings: string[] = [];
  const node = { type: 'mqtt in', warn: (t: string) => warnings.push(t) };
  const events = [
    { msg: { payload: nest(20) }, source: { id: 'n1', node } },
    { msg: { payload: { ok: true } }, source: { id: 'n1', node } },
    { msg: { payload: nest(20) }, source: { id: 'n1', node } },
  ];
  const count = async (): Promise<number> => (await metrics.messagesTooDeep.get()).values.find((v) => v.labels.node === 'mqtt in')?.value || 0;
  const before = await count();
  hook!(events);
  assert.deepEqual(
    events.map((e) => e.msg),
    [{ payload: { ok: true } }],
  );
  assert.equal((await count()) - before, 2);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /nested deeper than 10 levels/);
});

test('deeperThan answers exactly on shared sub-objects (no exponential walk) and ignores top-level req/res', () => {
  // 40 levels, each pointing twice at the next: 2^40 paths, 40 objects.
  let shared: Record<string, unknown> = { leaf: 1 };
  for (let i = 0; i < 40; i++) shared = { l: shared, r: shared };
  assert.equal(deeperThan(shared, 64), false);
  assert.equal(deeperThan(shared, 30), true);
  assert.equal(deeperThan({ req: nest(100), res: nest(100), payload: 1 }, 10), false);
  assert.equal(deeperThan({ payload: { req: nest(100) } }, 10), true);
});

test('the hook does not walk messages from node types whose output is bounded, and still checks the rest', () => {
  let hook: ((events: Array<{ msg: unknown; source: unknown }>) => void) | undefined;
  installDepthGuard(
    {
      add: (_n, fn) => {
        hook = fn as typeof hook;
      },
      remove: () => undefined,
    },
    10,
  );
  const deep = { payload: nest(20) };
  const events = [
    { msg: deep, source: { id: 'n2', node: { type: 'payload-normalizer' } } },
    { msg: deep, source: { id: 'n3', node: { type: 'link out' } } },
    { msg: deep, source: { id: 'n4', node: { type: 'function', warn: () => undefined } } },
  ];
  hook!(events);
  assert.deepEqual(
    events.map((e) => (e.source as { id: string }).id),
    ['n2', 'n3'],
  );
});

test("installDepthGuardOnce: once per runtime, keeps the launcher's hook, reads iotMaxMessageDepth", () => {
  const names = new Set<string>();
  const hooks = { add: (n: string) => void names.add(n), remove: (n: string) => void names.delete(n), has: (n: string) => names.has(n) };
  const warnings: string[] = [];
  const warn = (t: string): number => warnings.push(t);
  assert.equal(installDepthGuardOnce(hooks, { iotMaxMessageDepth: 0 }, warn), 0, '0 turns it off');
  assert.equal(names.size, 0);
  installDepthGuard(hooks, 100); // as app/start.ts does before the nodes load
  assert.equal(installDepthGuardOnce(hooks, {}, warn), 100, "the launcher's limit stays");
  names.clear();
  assert.equal(installDepthGuardOnce(hooks, { iotMaxMessageDepth: 5 }, warn), 64);
  assert.match(warnings[0], /iotMaxMessageDepth must be an integer from 8 to 1000/);
  assert.equal(names.size, 1);
  assert.equal(installDepthGuardOnce(undefined, {}, warn), 0, 'no hooks (node-red-node-test-helper): nothing to install');
});
