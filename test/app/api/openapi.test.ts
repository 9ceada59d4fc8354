/** The API description is consistent with itself: what the router, the validator and Swagger UI rely on. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Method, OPENAPI } from '../../../app/api/openapi';

const operations = () =>
  Object.entries(OPENAPI.paths).flatMap(([p, ops]) => Object.entries(ops).map(([method, op]) => ({ path: p, method: method as Method, op: op! })));

test('openapi: every path parameter is declared, required, and named in its path', () => {
  for (const { path, method, op } of operations()) {
    const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    const declared = (op.parameters ?? []).filter((p) => p.in === 'path');
    assert.deepEqual(declared.map((p) => p.name).sort(), inPath, `${method} ${path}`);
    for (const p of declared) assert.equal(p.required, true, `${method} ${path} {${p.name}}`);
  }
});

test('openapi: operation ids are unique; every operation has a summary, a tag and a success response', () => {
  const ids = operations().map((o) => o.op.operationId);
  assert.ok(ids.length > 10, `${ids.length} operations`);
  assert.equal(new Set(ids).size, ids.length, 'unique operationId');
  for (const { path, method, op } of operations()) {
    assert.ok(op.summary && op.tags.length > 0, `${method} ${path}`);
    assert.ok(
      Object.keys(op.responses).some((c) => /^2\d\d$/.test(c)),
      `${method} ${path} answers some 2xx`,
    );
    if (op['x-write']) assert.notEqual(method, 'get', `${method} ${path}: a GET does not change state`);
  }
});

test('openapi: every $ref names a schema in components, and error responses use the Error schema', () => {
  const refs: string[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        if (k === '$ref' && typeof x === 'string') refs.push(x);
        else visit(x);
      }
  };
  visit(OPENAPI);
  assert.ok(refs.length > 0);
  for (const r of refs) {
    const m = /^#\/components\/schemas\/(.+)$/.exec(r);
    assert.ok(m && OPENAPI.components.schemas[m[1]], r);
  }
  for (const { path, method, op } of operations())
    for (const [code, res] of Object.entries(op.responses))
      if (/^[45]\d\d$/.test(code))
        assert.deepEqual(res.content?.['application/json']?.schema, { $ref: '#/components/schemas/Error' }, `${method} ${path} ${code}`);
});
