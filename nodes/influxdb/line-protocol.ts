/**
 * Readings -> InfluxDB line protocol, precision milliseconds.
 *
 * Every metric is written as a float: `23` goes out as `temperature=23`, never
 * `23i`, so a metric that is sometimes a whole number never causes a field
 * type conflict.
 *
 * Names and tag values are escaped the way InfluxDB 1.x and 2.x read them
 * (`models/points.go`, checked against a real influxd by
 * test/influxdb/escaping-influx1.test.ts). A backslash escapes only the
 * separators: `,` and space in measurements; `,`, `=` and space in tag keys
 * and tag values; `,`, `=`, space and `"` in field keys. Any other backslash
 * is literal (`a\b` is read as `a\b`, `a\\b` as `a\\b`), so backslashes are
 * never doubled. What cannot be written as it is becomes:
 * - a newline or carriage return (a run of them): one space, so one Reading is
 *   always exactly one line;
 * - a backslash that InfluxDB would read as an escape: TRAILING_BACKSLASH
 *   (U+FF3C, fullwidth reverse solidus), visible, and `dev\` stays a
 *   different series from `dev`. That is a backslash at the end of any name or
 *   tag value (it would escape the separator after it: InfluxDB issue 6154,
 *   "wontfix"), and in measurements and field keys also one right before `,`,
 *   space, `=` or `"` (their reader unescapes all four, so `\\,` would come
 *   back as `,` or make the series unreachable);
 * - a `#` that starts a measurement: U+FF03 (fullwidth number sign), since
 *   InfluxDB takes such a line for a comment and drops it with a 204.
 */
import type { Reading } from '../common/types';

const NEWLINES = /[\r\n]+/g;

/** What a backslash InfluxDB would read as an escape is written as. */
export const TRAILING_BACKSLASH = '\uFF3C';

/** One kind of name: what may need work, the separators, the backslashes that cannot stay. */
interface NameRules {
  test: RegExp;
  separators: RegExp;
  lost: RegExp;
}

const MEASUREMENT: NameRules = { test: /^#|[, \\\r\n]/, separators: /[, ]/g, lost: /\\(?=[,= "]|$)/g };
const TAG: NameRules = { test: /[,= \\\r\n]/, separators: /[,= ]/g, lost: /\\$/ };
const FIELD_KEY: NameRules = { test: /[,= "\\\r\n]/, separators: /[,= "]/g, lost: /\\(?=[,= "]|$)/g };

function escapeName(rules: NameRules, s: string): string {
  if (!rules.test.test(s)) return s;
  return s.replace(NEWLINES, ' ').replace(rules.lost, TRAILING_BACKSLASH).replace(rules.separators, '\\$&');
}

/** Measurement names: escape commas and spaces; a leading `#` would make the line a comment. */
export const escapeMeasurement = (s: string): string => {
  const out = escapeName(MEASUREMENT, s);
  return out.startsWith('#') ? `\uFF03${out.slice(1)}` : out;
};
/** Tag keys and tag values: escape commas, equals signs and spaces. */
export const escapeKey = (s: string): string => escapeName(TAG, s);
/** Field keys: escape commas, equals signs, spaces and double quotes. */
export const escapeFieldKey = (s: string): string => escapeName(FIELD_KEY, s);
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

/** Memo of escaped names (device ids and metric names repeat); cleared when it grows past `max`. */
class Memo {
  private readonly map = new Map<string, string>();
  constructor(private readonly max = 20_000) {}
  get(key: string, make: () => string): string {
    let v = this.map.get(key);
    if (v === undefined) {
      if (this.map.size >= this.max) this.map.clear();
      v = make();
      this.map.set(key, v);
    }
    return v;
  }
}

/**
 * An encoder: Reading -> one line. Throws LineError naming the bad field when
 * the Reading cannot be written (missing device, a metric that is not a
 * finite number...). Keeps small memos of escaped series keys and field names.
 */
export function lineEncoder(opts: LineOptions = {}): (r: Reading) => string {
  const series = new Memo();
  const fieldKeys = new Memo();
  const deviceTag = opts.deviceTag || 'deviceId';
  return (r: Reading): string => {
    if (!isRecord(r)) throw new LineError('payload is not a Reading object');
    if (typeof r.deviceId !== 'string' || r.deviceId === '') throw new LineError('Reading.deviceId must be a non-empty string');
    const measurement = opts.measurement || r.sensorType;
    if (typeof measurement !== 'string' || measurement === '') throw new LineError(`Reading.sensorType of device "${r.deviceId}" must be a non-empty string`);
    if (typeof r.ts !== 'number' || !Number.isFinite(r.ts) || r.ts < 0)
      throw new LineError(`Reading.ts of device "${r.deviceId}" must be epoch milliseconds, got ${JSON.stringify(r.ts)}`);

    const hasTags = isRecord(r.tags) && Object.keys(r.tags).length > 0;
    const sensorType = opts.measurement ? String(r.sensorType ?? '') : '';
    const line = hasTags
      ? seriesKey(measurement, deviceTag, r.deviceId, sensorType, r.tags as Record<string, unknown>)
      : series.get(`${measurement}\u0000${r.deviceId}\u0000${sensorType}`, () => seriesKey(measurement, deviceTag, r.deviceId, sensorType, {}));

    let fields = '';
    if (isRecord(r.metrics)) {
      for (const k in r.metrics) {
        const v = r.metrics[k];
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          throw new LineError(`metric "${k}" of device "${r.deviceId}" is ${JSON.stringify(v)}, not a finite number`);
        }
        fields += `${fields ? ',' : ''}${fieldKeys.get(k, () => escapeFieldKey(k))}=${formatFloat(v)}`;
      }
    }
    if (isRecord(r.event) && typeof r.event.type === 'string') {
      fields += `${fields ? ',' : ''}event=${quoteString(r.event.type)}`;
      if (typeof r.event.id === 'string') fields += `,eventId=${quoteString(r.event.id)}`;
    }
    if (fields === '') throw new LineError(`Reading of device "${r.deviceId}" has no metrics and no event: nothing to write`);
    return `${line} ${fields} ${Math.round(r.ts)}`;
  };
}

/** Measurement and sorted tags, escaped; empty tag values are left out (line protocol has none). */
function seriesKey(measurement: string, deviceTag: string, deviceId: string, sensorType: string, extra: Record<string, unknown>): string {
  const tags: Array<[string, string]> = [[deviceTag, deviceId]];
  if (sensorType) tags.push(['sensorType', sensorType]);
  for (const [k, v] of Object.entries(extra)) if (typeof v === 'string' || typeof v === 'number') tags.push([k, String(v)]);
  tags.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let line = escapeMeasurement(measurement);
  for (const [k, v] of tags) if (k !== '' && v !== '') line += `,${escapeKey(k)}=${escapeKey(v)}`;
  return line;
}

/** One line for one Reading (see lineEncoder; this one keeps no memo). */
export function readingToLine(r: Reading, opts: LineOptions = {}): string {
  return lineEncoder(opts)(r);
}

/** Number of lines in a batch body (lines never hold a newline). */
export function countLines(body: string): number {
  if (body === '') return 0;
  let n = 1;
  for (let i = body.indexOf('\n'); i !== -1; i = body.indexOf('\n', i + 1)) n++;
  return n;
}
