/**
 * Dashboard queries as InfluxQL (1.x) and Flux (2.x): raw range, aggregated
 * windows, latest value per device, metrics per device (the telemetry seed's
 * deviceTelemetry, deviceTelemetryAggregated, deviceLatestMetric, deviceMetrics).
 *
 * Every value from a message is validated, then quoted with the escaping of
 * the target language; durations and times are parsed, never pasted, so a
 * message cannot inject query text.
 */
import { hasControlChar } from '../common/control-chars';
import { ValidationError } from '../common/errors';

export type QueryMode = 'raw' | 'aggregate' | 'latest' | 'metrics';
export type AggFn = 'mean' | 'min' | 'max' | 'count';
export const MODES: readonly QueryMode[] = ['raw', 'aggregate', 'latest', 'metrics'];
export const AGG_FNS: readonly AggFn[] = ['mean', 'min', 'max', 'count'];

/** A time bound: relative to now (ms before now) or absolute (epoch ms). */
export type TimeBound = { relativeMs: number; text: string } | { epochMs: number };

export interface QueryRequest {
  mode: QueryMode;
  /** Measurement (sensorType); empty: every measurement. */
  measurement: string;
  /** Device id; empty: every device. */
  deviceId: string;
  /** Metric (field); required except in `metrics` mode. */
  metric: string;
  start: TimeBound;
  stop?: TimeBound;
  /** Window for `aggregate`, e.g. `1h`. */
  interval: string;
  fns: AggFn[];
  limit: number;
}

const UNITS: Record<string, string> = {
  ms: 'ms',
  s: 's',
  sec: 's',
  second: 's',
  m: 'm',
  min: 'm',
  minute: 'm',
  h: 'h',
  hour: 'h',
  d: 'd',
  day: 'd',
  w: 'w',
  week: 'w',
};
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `15m`, `1h`, `1 hour`, `2 days` -> canonical `15m`, `1h`, `2d`; throws otherwise. */
export function parseDuration(text: unknown, field: string): { text: string; ms: number } {
  const m = typeof text === 'string' ? /^\s*(\d{1,9})\s*([a-z]+)\s*$/i.exec(text) : null;
  const word = m ? m[2].toLowerCase() : '';
  const unit = m ? (UNITS[word] ?? (word.endsWith('s') ? UNITS[word.slice(0, -1)] : undefined)) : undefined;
  if (!m || !unit || Number(m[1]) <= 0)
    throw new ValidationError(`${field} must be a duration such as 30s, 15m, 1h, 1d or "1 hour", got ${JSON.stringify(text)}`, field);
  return { text: `${Number(m[1])}${unit}`, ms: Number(m[1]) * UNIT_MS[unit] };
}

/** `-1h` / `1h` (before now), an ISO date, or epoch ms. */
export function parseTime(v: unknown, field: string): TimeBound {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return { epochMs: Math.round(v) };
  if (typeof v === 'string') {
    const rel = /^\s*-?\s*(\d.*)$/.exec(v);
    if (rel && !/^\s*\d{4}-\d\d/.test(v)) {
      const d = parseDuration(rel[1], field);
      return { relativeMs: d.ms, text: d.text };
    }
    if (/^\d{4}-\d\d-\d\d([T ][\d:.]+)?(Z|[+-]\d\d:?\d\d)?$/.test(v.trim())) {
      const ms = Date.parse(v.trim());
      if (!Number.isNaN(ms)) return { epochMs: ms };
    }
  }
  throw new ValidationError(`${field} must be a duration before now (-1h, 7d), an ISO date or epoch ms, got ${JSON.stringify(v)}`, field);
}

/** Names and ids: any printable text up to 256 characters (quoted later). */
export function checkName(v: unknown, field: string, required: boolean): string {
  if (v === undefined || v === null || v === '') {
    if (required) throw new ValidationError(`${field} is required`, field);
    return '';
  }
  if (typeof v !== 'string' || v.length > 256 || hasControlChar(v, true)) {
    throw new ValidationError(`${field} must be text of at most 256 printable characters, got ${JSON.stringify(v)}`, field);
  }
  return v;
}

export function buildRequest(input: Record<string, unknown>): QueryRequest {
  const mode = (input.mode ?? 'raw') as QueryMode;
  if (!MODES.includes(mode)) throw new ValidationError(`mode must be one of ${MODES.join(', ')}, got ${JSON.stringify(input.mode)}`, 'mode');
  const fnsIn = input.fns ?? input.fn ?? 'mean';
  const fns = (Array.isArray(fnsIn) ? fnsIn : String(fnsIn).split(',')).map((f) => String(f).trim()) as AggFn[];
  for (const f of fns) if (!AGG_FNS.includes(f)) throw new ValidationError(`fn must be among ${AGG_FNS.join(', ')}, got ${JSON.stringify(f)}`, 'fn');
  const limit = input.limit === undefined || input.limit === '' ? 1000 : Number(input.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100_000)
    throw new ValidationError(`limit must be a whole number from 1 to 100000, got ${JSON.stringify(input.limit)}`, 'limit');
  return {
    mode,
    measurement: checkName(input.measurement, 'measurement', false),
    deviceId: checkName(input.deviceId, 'deviceId', mode === 'metrics'),
    metric: checkName(input.metric, 'metric', mode !== 'metrics'),
    start: parseTime(input.start ?? '-1h', 'start'),
    stop: input.stop === undefined || input.stop === '' ? undefined : parseTime(input.stop, 'stop'),
    interval: parseDuration(input.interval || '1h', 'interval').text,
    fns: fns.length ? [...new Set(fns)] : ['mean'],
    limit,
  };
}

// ---- InfluxQL ----

export const iqlIdent = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
export const iqlString = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const iqlTime = (t: TimeBound): string => ('relativeMs' in t ? `now() - ${t.text}` : `${t.epochMs}ms`);

export function influxql(r: QueryRequest, deviceTag = 'deviceId'): string {
  const from = r.measurement ? iqlIdent(r.measurement) : '/.*/';
  const where = [`time >= ${iqlTime(r.start)}`];
  if (r.stop) where.push(`time <= ${iqlTime(r.stop)}`);
  if (r.deviceId) where.push(`${iqlIdent(deviceTag)} = ${iqlString(r.deviceId)}`);
  const cond = `WHERE ${where.join(' AND ')}`;
  const field = iqlIdent(r.metric);
  const dev = iqlIdent(deviceTag);
  switch (r.mode) {
    case 'raw':
      return `SELECT ${field} AS "value" FROM ${from} ${cond} GROUP BY ${dev} ORDER BY time ASC LIMIT ${r.limit}`;
    case 'aggregate':
      return `SELECT ${r.fns.map((f) => `${f}(${field}) AS "${f}"`).join(', ')} FROM ${from} ${cond} GROUP BY time(${r.interval}), ${dev} fill(none) LIMIT ${r.limit}`;
    case 'latest':
      return `SELECT last(${field}) AS "value" FROM ${from} ${cond} GROUP BY ${dev}`;
    case 'metrics':
      return `SELECT last(*) FROM ${from} ${cond} GROUP BY ${dev}`;
  }
}

// ---- Flux ----

export const fluxString = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$\{/g, '\\${')}"`;
const fluxTime = (t: TimeBound): string => ('relativeMs' in t ? `-${t.text}` : new Date(t.epochMs).toISOString());

export function flux(r: QueryRequest, bucket: string, deviceTag = 'deviceId'): string {
  const range = `range(start: ${fluxTime(r.start)}${r.stop ? `, stop: ${fluxTime(r.stop)}` : ''})`;
  const lines = [`data = from(bucket: ${fluxString(bucket)})`, `  |> ${range}`];
  if (r.measurement) lines.push(`  |> filter(fn: (r) => r._measurement == ${fluxString(r.measurement)})`);
  if (r.metric && r.mode !== 'metrics') lines.push(`  |> filter(fn: (r) => r._field == ${fluxString(r.metric)})`);
  if (r.deviceId) lines.push(`  |> filter(fn: (r) => r[${fluxString(deviceTag)}] == ${fluxString(r.deviceId)})`);
  const keep = `keep(columns: ["_time", "_value", "_field", "_measurement", ${fluxString(deviceTag)}])`;
  switch (r.mode) {
    case 'raw':
      lines.push('data', `  |> ${keep}`, `  |> group(columns: [${fluxString(deviceTag)}])`, '  |> sort(columns: ["_time"])', `  |> limit(n: ${r.limit})`);
      break;
    case 'aggregate':
      lines.push('union(tables: [');
      lines.push(
        r.fns
          .map((f) => `  data |> aggregateWindow(every: ${r.interval}, fn: ${f}, createEmpty: false) |> toFloat() |> set(key: "fn", value: "${f}")`)
          .join(',\n'),
      );
      lines.push('])', `  |> group(columns: [${fluxString(deviceTag)}, "fn"])`, '  |> sort(columns: ["_time"])', `  |> limit(n: ${r.limit})`);
      break;
    case 'latest':
    case 'metrics':
      lines.push('data', '  |> last()', `  |> ${keep}`);
      break;
  }
  return lines.join('\n');
}
