/** The API's request checks: the field named, query strings coerced. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OPENAPI } from '../../../app/api/openapi';
import { HttpError, validator } from '../../../app/api/validate';

test('request checks name the field', () => {
  const op = OPENAPI.paths['/cameras/{id}/servo']!.post!;
  const check = validator(op);
  const fails = (body: unknown): HttpError => {
    try {
      check({ params: { id: 'cam' }, query: {}, body });
    } catch (err) {
      return err as HttpError;
    }
    throw new Error(`accepted ${JSON.stringify(body)}`);
  };
  assert.doesNotThrow(() => check({ params: { id: 'cam' }, query: {}, body: { direction: 'left' } }));
  assert.doesNotThrow(() => check({ params: { id: 'cam' }, query: {}, body: { angle: 90 } }));
  assert.deepEqual([fails({ direction: 'up' }).field, fails({ direction: 'up' }).status], ['direction', 400]);
  assert.equal(fails({ angle: 181 }).field, 'angle');
  assert.match(fails({}).message, /direction, angle, action/);
  assert.equal(fails(undefined).field, 'body');
  const range = validator(OPENAPI.paths['/devices/{id}/readings']!.get!);
  const q: Record<string, unknown> = { metric: 't', limit: '10' };
  range({ params: { id: 'd' }, query: q, body: undefined });
  assert.equal(q.limit, 10, 'query strings are coerced to their types');
});
