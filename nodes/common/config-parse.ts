/**
 * The small parsers every node's `parseConfig` uses for saved settings. A
 * setting that is absent (undefined, null or '') takes its default; a bad one
 * throws a ValidationError naming the field.
 */
import { ValidationError } from './errors';

/** A node definition as saved by the editor or a flow file. */
export type RawConfig = Record<string, unknown>;

/** True when a saved value counts as "not set": undefined, null or ''. */
export function isUnset(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}

/** A number in [min, max] (a whole one when `integer`); absent: `fallback`. */
export function parseNumber(def: RawConfig, field: string, fallback: number, min: number, max: number, integer = false): number {
  const raw = def[field];
  if (isUnset(raw)) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new ValidationError(`${field} must be a ${integer ? 'whole ' : ''}number from ${min} to ${max}, got "${String(raw)}"`, field);
  }
  return n;
}

/** A checkbox: true or 'true' is on, anything else set is off; absent: `fallback`. */
export function parseBool(def: RawConfig, field: string, fallback: boolean): boolean {
  const raw = def[field];
  if (isUnset(raw)) return fallback;
  return raw === true || raw === 'true';
}

/** One of `allowed`; absent: `fallback`. */
export function parseOneOf<T extends string>(def: RawConfig, field: string, fallback: T, allowed: readonly T[]): T {
  const raw = isUnset(def[field]) ? fallback : def[field];
  if (!allowed.includes(raw as T)) throw new ValidationError(`${field} must be one of ${allowed.join(', ')}, got "${String(raw)}"`, field);
  return raw as T;
}

/** The parsers bound to a node's DEFAULTS, so a call names only the field and its bounds. */
export interface FieldParsers<K extends string> {
  num(def: RawConfig, field: K, min: number, max: number): number;
  int(def: RawConfig, field: K, min: number, max: number): number;
  bool(def: RawConfig, field: K): boolean;
  oneOf<T extends string>(def: RawConfig, field: K, allowed: readonly T[]): T;
}

/** {@link parseNumber}, {@link parseBool} and {@link parseOneOf} with defaults taken from `defaults[field]`. */
export function fieldParsers<D extends object>(defaults: D): FieldParsers<Extract<keyof D, string>> {
  const dflt = (field: string): unknown => (defaults as Record<string, unknown>)[field];
  return {
    num: (def, field, min, max) => parseNumber(def, field, Number(dflt(field)), min, max),
    int: (def, field, min, max) => parseNumber(def, field, Number(dflt(field)), min, max, true),
    bool: (def, field) => parseBool(def, field, Boolean(dflt(field))),
    oneOf: (def, field, allowed) => parseOneOf(def, field, dflt(field) as (typeof allowed)[number], allowed),
  };
}
