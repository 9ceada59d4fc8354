/** Query answers (InfluxQL JSON, Flux records) -> rows, and rows -> Dashboard 2.0 ui-chart points. */
import type { QueryRequest } from './queries';

/** One value of one metric of one device. */
export interface QueryRow {
  /** Epoch ms. */
  ts: number;
  deviceId: string;
  metric: string;
  value: number | string | boolean | null;
  /** Aggregate function (aggregate mode). */
  fn?: string;
  measurement?: string;
}

/** What a ui-chart plots with x key `x`, y key `y`, series key `series`. */
export interface ChartPoint {
  x: number;
  y: number;
  series: string;
}

interface IqlSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

/** Rows from a 1.x `/query?epoch=ms` answer (first statement). Throws the server's error. */
export function rowsFromInfluxQL(
  req: QueryRequest,
  body: { results?: Array<{ series?: IqlSeries[]; error?: string }>; error?: string },
  deviceTag = 'deviceId',
): QueryRow[] {
  if (body.error) throw new Error(body.error);
  const result = body.results?.[0];
  if (result?.error) throw new Error(result.error);
  const rows: QueryRow[] = [];
  for (const s of result?.series ?? []) {
    const deviceId = s.tags?.[deviceTag] ?? '';
    for (const v of s.values) {
      const ts = Number(v[0]);
      s.columns.forEach((col, i) => {
        if (i === 0 || v[i] === null || v[i] === undefined) return;
        const value = v[i] as QueryRow['value'];
        if (req.mode === 'aggregate') rows.push({ ts, deviceId, metric: req.metric, fn: col, value, measurement: s.name });
        else if (req.mode === 'metrics') rows.push({ ts, deviceId, metric: col.replace(/^last_/, ''), value, measurement: s.name });
        else rows.push({ ts, deviceId, metric: req.metric, value, measurement: s.name });
      });
    }
  }
  return rows.sort((a, b) => a.ts - b.ts);
}

/** Rows from Flux records (as collectRows gives them). */
export function rowsFromFlux(req: QueryRequest, records: Array<Record<string, unknown>>, deviceTag = 'deviceId'): QueryRow[] {
  return records
    .map((r) => ({
      ts: Date.parse(String(r._time)),
      deviceId: String(r[deviceTag] ?? ''),
      metric: String(r._field ?? req.metric),
      value: (r._value ?? null) as QueryRow['value'],
      ...(r.fn !== undefined ? { fn: String(r.fn) } : {}),
      measurement: String(r._measurement ?? ''),
    }))
    .sort((a, b) => a.ts - b.ts);
}

/** Numeric rows as chart points; the series names the device (and the function or metric when several). */
export function chartPoints(req: QueryRequest, rows: QueryRow[]): ChartPoint[] {
  const out: ChartPoint[] = [];
  for (const r of rows) {
    if (typeof r.value !== 'number') continue;
    let series = r.deviceId;
    if (req.mode === 'aggregate' && req.fns.length > 1) series = `${r.deviceId} ${r.fn}`;
    if (req.mode === 'metrics') series = `${r.deviceId} ${r.metric}`;
    out.push({ x: r.ts, y: r.value, series });
  }
  return out;
}
