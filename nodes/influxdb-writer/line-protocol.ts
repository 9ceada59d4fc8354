/**
 * Readings -> InfluxDB line protocol, precision milliseconds.
 *
 * Every metric is written as a float: `23` goes out as `temperature=23`, never
 * `23i`, so a metric that is sometimes a whole number never causes a field
 * type conflict. Newlines cannot be escaped in line protocol; they become
 * spaces so one Reading is always exactly one line.
 */
import type { Reading } from '../common/types';

const NEWLINES = /[\r\n]+/g;

function escapeWith(re: RegExp, s: string): string {
  let out = s.replace(NEWLINES, ' ').replace(re, '\\$&');
  // A trailing backslash would escape the separator that follows it.
  if (out.endsWith('\\') && !out.endsWith('\\\\')) out += '\\';
  return out;
}

/** Measurement names: escape commas and spaces. */
export const escapeMeasurement = (s: string): string => escapeWith(/[, ]/g, s);
/** Tag keys, tag values and field keys: escape commas, equals signs and spaces. */
export const escapeKey = (s: string): string => escapeWith(/[,= ]/g, s);
/** String field values: double quotes around, backslashes and quotes escaped. */
export const quoteString = (s: string): string => `"${s.replace(NEWLINES, ' ').replace(/["\\]/g, '\\$&')}"`;

/** A float field value: finite numbers only, always without the `i` suffix. */
export function formatFloat(n: number): string {
  return Object.is(n, -0) ? '0' : String(n);
}

export interface LineOptions {
  /** Measurement for every reading; empty: the Reading's sensorType. */
  measurement?: string;
  /** Tag key that carries the device id. */
  deviceTag?: string;
}

/** A Reading that cannot become a line, with the reason. */
export class LineError extends Error {
  override name = 'LineError';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * One line for one Reading. Throws LineError naming the bad field when the
 * Reading cannot be written (missing device, a metric that is not a finite number...).
 */
export function readingToLine(r: Reading, opts: LineOptions = {}): string {
  if (!isRecord(r)) throw new LineError('payload is not a Reading object');
  if (typeof r.deviceId !== 'string' || r.deviceId === '') throw new LineError('Reading.deviceId must be a non-empty string');
  const measurement = opts.measurement || r.sensorType;
  if (typeof measurement !== 'string' || measurement === '') throw new LineError(`Reading.sensorType of device "${r.deviceId}" must be a non-empty string`);
  if (typeof r.ts !== 'number' || !Number.isFinite(r.ts) || r.ts < 0) throw new LineError(`Reading.ts of device "${r.deviceId}" must be epoch milliseconds, got ${JSON.stringify(r.ts)}`);

  const tags: Array<[string, string]> = [[opts.deviceTag || 'deviceId', r.deviceId]];
  if (opts.measurement) tags.push(['sensorType', String(r.sensorType ?? '')]);
  if (isRecord(r.tags)) {
    for (const [k, v] of Object.entries(r.tags)) if (typeof v === 'string' || typeof v === 'number') tags.push([k, String(v)]);
  }
  tags.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let line = escapeMeasurement(measurement);
  for (const [k, v] of tags) if (k !== '' && v !== '') line += `,${escapeKey(k)}=${escapeKey(v)}`;

  const fields: string[] = [];
  if (isRecord(r.metrics)) {
    for (const [k, v] of Object.entries(r.metrics)) {
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new LineError(`metric "${k}" of device "${r.deviceId}" is ${JSON.stringify(v)}, not a finite number`);
      }
      fields.push(`${escapeKey(k)}=${formatFloat(v)}`);
    }
  }
  if (isRecord(r.event) && typeof r.event.type === 'string') {
    fields.push(`event=${quoteString(r.event.type)}`);
    if (typeof r.event.id === 'string') fields.push(`eventId=${quoteString(r.event.id)}`);
  }
  if (fields.length === 0) throw new LineError(`Reading of device "${r.deviceId}" has no metrics and no event: nothing to write`);
  return `${line} ${fields.join(',')} ${Math.round(r.ts)}`;
}

/** Number of lines in a batch body (lines never hold a newline). */
export function countLines(body: string): number {
  if (body === '') return 0;
  let n = 1;
  for (let i = body.indexOf('\n'); i !== -1; i = body.indexOf('\n', i + 1)) n++;
  return n;
}
