/**
 * The mirrored test layout (scripts/test-layout.ts): its rules on small
 * sources, then the repository itself, so a module added without its test
 * beside its name fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'path';
import { checkRepo, END_TO_END_ONLY, expectedTest, hasLogic, missingTests, modulesWithLogic } from '../../scripts/test-layout';

test('logic is a function, method, class or accessor; types, constants and re-exports are not', () => {
  assert.equal(hasLogic('export interface A { f(): void }\nexport type B = (x: number) => string;'), false);
  assert.equal(hasLogic("export const LIMIT = 5;\nexport const NAMES = ['a', 'b'] as const;"), false);
  assert.equal(hasLogic("export { a } from './a';\nexport * from './b';\nimport type { C } from './c';"), false);
  assert.equal(hasLogic('export declare function f(x: number): number;'), false);
  assert.equal(hasLogic('export function f() { return 1; }'), true);
  assert.equal(hasLogic('export const f = (x: number) => x + 1;'), true);
  assert.equal(hasLogic('export class A {}'), true);
  assert.equal(hasLogic('export const o = { get n() { return 1; } };'), true);
  assert.equal(hasLogic('export const o = { m() { return 1; } };'), true);
});

test('the mirrored path: nodes/<dir> under test/<dir>, app/<dir> under test/app/<dir>', () => {
  assert.equal(expectedTest('nodes/common/backoff.ts'), 'test/common/backoff.test.ts');
  assert.equal(expectedTest('nodes/sensor-input/sim/fleet.ts'), 'test/sensor-input/sim/fleet.test.ts');
  assert.equal(expectedTest('app/env.ts'), 'test/app/env.test.ts');
  assert.equal(expectedTest('app/auth/gate.ts'), 'test/app/auth/gate.test.ts');
});

test('index files, declaration files, the editor .html and logic-free modules need no test', () => {
  const files = [
    { path: 'nodes/x/index.ts', source: 'export function f() {}' },
    { path: 'nodes/x/types.d.ts', source: 'export function f(): void;' },
    { path: 'nodes/x/x.html', source: '<script>function f() {}</script>' },
    { path: 'nodes/x/types.ts', source: 'export interface T { a: number }' },
    { path: 'nodes/x/logic.ts', source: 'export function f() {}' },
  ];
  assert.deepEqual(modulesWithLogic(files), ['nodes/x/logic.ts']);
});

test('a gap is reported unless listed; a listed module that has its test (or is gone) is stale', () => {
  const modules = ['nodes/a/one.ts', 'nodes/a/two.ts', 'nodes/a/three.ts', 'app/four.ts'];
  const tests = new Set(['test/a/one.test.ts', 'test/a/three.test.ts']);
  const r = missingTests(modules, tests, { 'app/four.ts': 'end to end', 'app/gone.ts': 'removed since', 'nodes/a/three.ts': 'has its test now' });
  assert.deepEqual(r.missing, [{ module: 'nodes/a/two.ts', test: 'test/a/two.test.ts' }]);
  assert.deepEqual(r.stale.sort(), ['app/gone.ts', 'nodes/a/three.ts']);
});

test('this repository: every module with logic has its mirrored test, or is listed with a reason', () => {
  const root = path.resolve(__dirname, '..', '..', '..');
  const r = checkRepo(root);
  assert.deepEqual(
    r.missing.map((m) => `${m.module}: no ${m.test}`),
    [],
    'add the test at the mirrored path (or, for a module covered only end to end, an END_TO_END_ONLY entry with its reason)',
  );
  assert.deepEqual(r.stale, [], 'remove these from END_TO_END_ONLY');
  assert.ok(Object.keys(END_TO_END_ONLY).length <= 5, 'the end-to-end allowlist stays short');
  for (const [m, why] of Object.entries(END_TO_END_ONLY)) assert.ok(why.length > 20, `${m} needs a reason`);
});
