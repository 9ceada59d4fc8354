/**
 * The scratch a decoder fills: identity, raw timestamp, metrics, tags and event.
 * One Draft is reused for every message of a normalizer (reset per message), so
 * decoding allocates little beyond the Reading itself.
 */
import type { ReadingEvent } from '../common/types';

/** Reject reason codes (also the `reason` label of iot_readings_rejected_total). */
export type RejectCode =
  | 'empty_payload'
  | 'too_large'
  | 'invalid_json'
  | 'unsupported_type'
  | 'unsupported_shape'
  | 'too_deep'
  | 'too_many_keys'
  | 'no_device_id'
  | 'invalid_device_id'
  | 'no_metrics'
  | 'not_finite'
  | 'out_of_range'
  | 'bad_timestamp'
  | 'decoder_mismatch'
  | 'device_id_mismatch'
  | 'internal';

/** Keys that must never be written into an object (prototype pollution). */
export function isForbiddenKey(key: string): boolean {
  return key === '__proto__' || key === 'constructor' || key === 'prototype';
}

const SNAKE_OK = /^[a-z0-9_]{1,64}$/;
const names = new Map<string, string>();

/**
 * snake_case name for a payload key (`heartRate` -> `heart_rate`, `TempUnit` -> `temp_unit`,
 * `SpO2` -> `spo2`, `Temperature Outside` -> `temperature_outside`); '' when nothing usable is left.
 * Cached: keys repeat on every message.
 */
export function snakeName(key: string): string {
  if (SNAKE_OK.test(key)) return isForbiddenKey(key) ? '' : key;
  const hit = names.get(key);
  if (hit !== undefined) return hit;
  let out =
    key.length > 200
      ? ''
      : key
          .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
          .replace(/([a-z0-9])([A-Z][a-z])/g, '$1_$2')
          .toLowerCase()
          .replace(/[^a-z0-9_]+/g, '_')
          .replace(/_+/g, '_')
          .replace(/^_|_$/g, '')
          .slice(0, 64);
  if (isForbiddenKey(out)) out = '';
  if (names.size > 10000) names.clear();
  names.set(key, out);
  return out;
}

const NUMERIC_RE = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;
const NOT_FINITE_RE = /^\s*[+-]?(?:nan|inf|infinity)\s*$/i;

/** Number held in a string ("21.5", " -3e2 "), or undefined. Hex, empty and "1,5" are not numbers. */
export function numericString(s: string): number | undefined {
  if (s.length === 0 || s.length > 40) return undefined;
  const c = s.charCodeAt(0);
  // Fast exit for words: first char must be a digit, sign, dot or space.
  if (!((c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46 || c === 32)) return undefined;
  return NUMERIC_RE.test(s) ? Number(s) : undefined;
}

/** True for "NaN", "Infinity", "-inf"...: strings that stand for a non-finite number. */
export function nonFiniteString(s: string): boolean {
  return s.length <= 10 && NOT_FINITE_RE.test(s);
}

/** Limits a decoder enforces while walking a payload. */
export interface WalkLimits {
  maxDepth: number;
  maxKeys: number;
}

export class Draft {
  deviceId: string | undefined;
  sensorType: string | undefined;
  /** Raw timestamp value from the payload (string or number). */
  tsRaw: unknown;
  /** Numbers below this are device uptime (see timestamps.ts). */
  uptimeBelow = 0;
  readonly mNames: string[] = [];
  readonly mValues: number[] = [];
  readonly mUnits: Array<string | undefined> = [];
  readonly tNames: string[] = [];
  readonly tValues: string[] = [];
  event: ReadingEvent | undefined;
  /** True when the event id came from the device (so it is worth de-duplicating). */
  eventIdFromDevice = false;
  /** Strings such as `ON`, `open`, `false` become 0/1 metrics (firmware decoders turn this on). */
  stateWords = false;
  /** Arrays of numbers become `<name>_1`, `<name>_2`... (Tasmota ENERGY per channel). */
  numberArrays = false;
  /** A decoder's narrower reading of the topic's device (Zigbee2MQTT attribute topics `<base>/<name>/<attr>`). */
  routeDevice: string | undefined;
  /** Set by ignore(): the message carries no reading and is dropped, counted, not rejected. */
  ignored: string | undefined;
  keys = 0;
  code: RejectCode | undefined;
  message = '';

  constructor(readonly limits: WalkLimits) {}

  reset(uptimeBelow: number): void {
    this.deviceId = undefined;
    this.sensorType = undefined;
    this.tsRaw = undefined;
    this.uptimeBelow = uptimeBelow;
    this.mNames.length = 0;
    this.mValues.length = 0;
    this.mUnits.length = 0;
    this.tNames.length = 0;
    this.tValues.length = 0;
    this.event = undefined;
    this.eventIdFromDevice = false;
    this.stateWords = false;
    this.numberArrays = false;
    this.ignored = undefined;
    this.routeDevice = undefined;
    this.keys = 0;
    this.code = undefined;
    this.message = '';
  }

  /** Records a reject; returns false so decoders can `return d.fail(...)`. */
  fail(code: RejectCode, message: string): false {
    if (this.code === undefined) {
      this.code = code;
      this.message = message;
    }
    return false;
  }

  /** Marks the message as carrying no reading (a command echo, bridge chatter); returns false. */
  ignore(reason: string): false {
    this.ignored = reason;
    return false;
  }

  metric(name: string, value: number, unit?: string): void {
    this.mNames.push(name);
    this.mValues.push(value);
    this.mUnits.push(unit);
  }

  tag(name: string, value: string): void {
    this.tNames.push(name);
    this.tValues.push(value.length > 256 ? value.slice(0, 256) : value);
  }

  /** Removes the metrics from index `start` on whose name `drop` accepts. */
  dropMetrics(start: number, drop: (name: string) => boolean): void {
    let w = start;
    for (let i = start; i < this.mNames.length; i++) {
      if (drop(this.mNames[i])) continue;
      this.mNames[w] = this.mNames[i];
      this.mValues[w] = this.mValues[i];
      this.mUnits[w] = this.mUnits[i];
      w++;
    }
    this.mNames.length = w;
    this.mValues.length = w;
    this.mUnits.length = w;
  }

  hasMetric(name: string): boolean {
    return this.mNames.indexOf(name) >= 0;
  }

  /** Counts one more key against maxKeys; false (with a reject) when over. */
  countKey(): boolean {
    if (++this.keys > this.limits.maxKeys) return this.fail('too_many_keys', `payload has more than ${this.limits.maxKeys} keys`);
    return true;
  }
}

/** Device / sensor id from a payload value: a non-empty string or a number, else undefined. */
export function idValue(v: unknown): string | undefined {
  if (typeof v === 'string') return v.length > 0 ? v : undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** State words and the 0/1 they stand for (`ON`, `open`, `online`, `detected`...), lower case. */
const STATE_WORDS: ReadonlyMap<string, number> = new Map([
  ['on', 1],
  ['off', 0],
  ['true', 1],
  ['false', 0],
  ['yes', 1],
  ['no', 0],
  ['open', 1],
  ['opened', 1],
  ['closed', 0],
  ['close', 0],
  ['online', 1],
  ['offline', 0],
  ['locked', 1],
  ['unlocked', 0],
  ['detected', 1],
  ['clear', 0],
  ['wet', 1],
  ['dry', 0],
  ['active', 1],
  ['inactive', 0],
]);

/** 0/1 for a state word (case-insensitive), else undefined. */
export function stateWord(s: string): number | undefined {
  if (s.length === 0 || s.length > 9) return undefined;
  const v = STATE_WORDS.get(s);
  return v !== undefined ? v : STATE_WORDS.get(s.trim().toLowerCase());
}
