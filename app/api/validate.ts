/**
 * Request checks from the OpenAPI document, through ajv (already in the tree
 * with Node-RED): path and query parameters (query strings coerced to their
 * types) and the JSON body. A failure is a 400 naming the field.
 */
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import { JsonSchema, OPENAPI, Operation } from './openapi';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export interface RequestParts {
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  body: unknown;
}

const ajv = new Ajv({ strict: false, allErrors: false, coerceTypes: true, verbose: true });

function objectOf(params: Operation['parameters'], where: 'path' | 'query'): JsonSchema {
  const list = (params || []).filter((p) => p.in === where);
  return {
    type: 'object',
    properties: Object.fromEntries(list.map((p) => [p.name, p.schema])),
    required: list.filter((p) => p.required).map((p) => p.name),
  };
}

/** Readable text of ajv's first error, and the field it is about. */
export function describe(err: ErrorObject, base: string): { field: string; message: string } {
  const at = err.instancePath.split('/').filter(Boolean).join('.');
  const field = err.keyword === 'required' ? [at, (err.params as { missingProperty: string }).missingProperty].filter(Boolean).join('.') : at || base;
  if (err.keyword === 'required') return { field, message: `${field} is required` };
  if (err.keyword === 'enum') return { field, message: `${field} must be one of ${(err.params as { allowedValues: unknown[] }).allowedValues.join(', ')}` };
  if (err.keyword === 'anyOf' && Array.isArray((err.parentSchema as { anyOf?: unknown[] })?.anyOf)) {
    const names = (err.parentSchema as { anyOf: Array<{ required?: string[] }> }).anyOf.flatMap((s) => s.required || []);
    if (names.length) return { field, message: `${field} needs one of ${names.join(', ')}` };
  }
  if (err.keyword === 'additionalProperties') {
    const extra = (err.params as { additionalProperty: string }).additionalProperty;
    return { field: at ? `${at}.${extra}` : extra, message: `${at ? `${at}.` : ''}${extra} is not allowed` };
  }
  return { field, message: `${field} ${err.message}` };
}

/** Compiled checks of one operation; throws HttpError(400) on the first problem. */
export function validator(op: Operation): (req: RequestParts) => void {
  const path = ajv.compile(objectOf(op.parameters, 'path'));
  const query = ajv.compile(objectOf(op.parameters, 'query'));
  const bodySchema = op.requestBody?.content['application/json'].schema;
  // The body's $refs point into the document's components: compiled with them at hand.
  const body: ValidateFunction | undefined = bodySchema ? ajv.compile({ ...bodySchema, components: OPENAPI.components }) : undefined;
  const takesCsv = Boolean(op.requestBody?.content['text/csv']);
  const check = (fn: ValidateFunction, value: unknown, base: string): void => {
    if (fn(value)) return;
    // A failed anyOf lists its branches' errors first: the anyOf itself says more.
    const errs = fn.errors!;
    const { field, message } = describe(errs.find((e) => e.keyword === 'anyOf') || errs[0], base);
    throw new HttpError(400, message, field);
  };
  return (req) => {
    check(path, req.params, 'path');
    check(query, req.query, 'query');
    if (!body) return;
    if (req.body === undefined) {
      if (op.requestBody!.required) throw new HttpError(400, 'body is required (JSON)', 'body');
      return;
    }
    if (typeof req.body === 'string' && takesCsv) return; // CSV: its own parser checks it
    check(body, req.body, 'body');
  };
}
