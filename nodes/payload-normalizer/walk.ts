/**
 * Walking a parsed JSON object into a Draft: values to metrics and tags, nested
 * blocks to prefixed names, units beside values, and a safe copy of event details.
 */
import { Draft, isForbiddenKey, idValue, nonFiniteString, numericString, snakeName, stateWord } from './draft';
import { isTemperatureName, isTemperatureUnit } from './units';

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);

/** Nested keys whose children are taken as if they were top level (no name prefix). */
const WRAPPERS = new Set(['sensors', 'data', 'values', 'readings', 'measurements', 'fields']);
/** Keys that give the unit of the metrics beside them. */
const UNIT_KEYS = new Set(['unit', 'temp_unit', 'temperature_unit', 'tempunit']);
export const NO_SKIP: ReadonlySet<string> = new Set();

/** Adds a metric or tag from one value; false on a non-finite value. */
export function addValue(d: Draft, name: string, v: unknown, unit?: string): boolean {
  switch (typeof v) {
    case 'number':
      if (!Number.isFinite(v)) return d.fail('not_finite', `${name} is ${v}`);
      d.metric(name, v, unit);
      return true;
    case 'boolean':
      d.metric(name, v ? 1 : 0, unit);
      return true;
    case 'string': {
      const n = numericString(v);
      if (n !== undefined) {
        if (!Number.isFinite(n)) return d.fail('not_finite', `${name} is ${v}`);
        d.metric(name, n, unit);
      } else if (d.stateWords && stateWord(v) !== undefined) {
        d.metric(name, stateWord(v)!, unit);
      } else if (nonFiniteString(v)) {
        return d.fail('not_finite', `${name} is ${v}`);
      } else if (v.length > 0) {
        d.tag(name, v); // empty strings carry nothing (and InfluxDB refuses empty tag values)
      }
      return true;
    }
    default:
      return true; // null, undefined: nothing to keep
  }
}

/**
 * Walks one block of a JSON object: numbers, numeric strings and booleans become
 * metrics, other strings tags, nested objects `<block>_<name>` metrics (wrapper keys
 * such as `sensors` add no prefix). Arrays are skipped.
 */
export function walk(obj: Obj, prefix: string, depth: number, d: Draft, top: boolean, skip: ReadonlySet<string>): boolean {
  if (depth > d.limits.maxDepth) return d.fail('too_deep', `payload is nested deeper than ${d.limits.maxDepth} levels`);
  const start = d.mNames.length;
  let blockUnit: string | undefined;
  let units: Obj | undefined;
  for (const key in obj) {
    if (!d.countKey()) return false;
    const name = snakeName(key);
    if (name === '') continue;
    const v = obj[key];
    if (top) {
      if (skip.has(name)) continue;
      switch (name) {
        case 'device_id':
          if (d.deviceId === undefined) d.deviceId = idValue(v);
          continue;
        case 'sensor_type':
          if (d.sensorType === undefined) d.sensorType = idValue(v);
          continue;
        case 'timestamp':
        case 'ts':
        case 'time':
        case 'datetime':
          if (d.tsRaw === undefined) d.tsRaw = v;
          continue;
        case 'units':
          if (isObj(v)) units = v;
          continue;
      }
    }
    if (UNIT_KEYS.has(name)) {
      if (typeof v === 'string') blockUnit = v;
      continue;
    }
    const full = prefix === '' ? name : prefix + name;
    if (typeof v === 'object' && v !== null) {
      if (Array.isArray(v)) {
        if (d.numberArrays && !addArray(d, full, v)) return false;
        continue;
      }
      if (!isObj(v)) continue;
      if (!walk(v, WRAPPERS.has(name) ? prefix : `${full}_`, depth + 1, d, false, NO_SKIP)) return false;
    } else if (!addValue(d, full, v)) {
      return false;
    }
  }
  if (blockUnit !== undefined) applyBlockUnit(d, start, blockUnit);
  if (units !== undefined) {
    for (const key in units) {
      const u = units[key];
      const i = d.mNames.indexOf(snakeName(key));
      if (i >= 0 && typeof u === 'string') d.mUnits[i] = u;
    }
  }
  return true;
}

/** Numbers of an array as `<name>_1`, `<name>_2`...; other items are skipped. */
function addArray(d: Draft, name: string, arr: unknown[]): boolean {
  for (let i = 0; i < arr.length; i++) {
    if (!d.countKey()) return false;
    const v = arr[i];
    if ((typeof v === 'number' || typeof v === 'string') && !addValue(d, `${name}_${i + 1}`, v)) return false;
  }
  return true;
}

/** A `unit` beside one metric is that metric's unit; beside several, a temperature unit applies to the temperatures. */
function applyBlockUnit(d: Draft, start: number, unit: string): void {
  const end = d.mNames.length;
  if (end - start === 1) {
    if (d.mUnits[start] === undefined) d.mUnits[start] = unit;
    return;
  }
  if (!isTemperatureUnit(unit)) return;
  for (let i = start; i < end; i++) {
    if (d.mUnits[i] === undefined && isTemperatureName(d.mNames[i])) d.mUnits[i] = unit;
  }
}

/** Copy of event details without forbidden keys, with strings cut to 1 KiB and a depth limit. */
export function copyData(v: unknown, depth: number, d: Draft): unknown {
  if (typeof v === 'string') return v.length > 1024 ? v.slice(0, 1024) : v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'boolean' || v === null) return v;
  if (typeof v !== 'object') return undefined;
  if (depth > d.limits.maxDepth) {
    d.fail('too_deep', `event data is nested deeper than ${d.limits.maxDepth} levels`);
    return undefined;
  }
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const item of v) {
      if (!d.countKey()) return undefined;
      out.push(copyData(item, depth + 1, d));
    }
    return out;
  }
  const out: Obj = {};
  for (const key in v as Obj) {
    if (!d.countKey()) return undefined;
    if (isForbiddenKey(key)) continue;
    const c = copyData((v as Obj)[key], depth + 1, d);
    if (c !== undefined) out[key] = c;
  }
  return out;
}
