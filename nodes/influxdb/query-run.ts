/**
 * Runs a dashboard query: InfluxQL over HTTP on 1.x, Flux through
 * @influxdata/influxdb-client's QueryApi on 2.x.
 */
import { InfluxDB } from '@influxdata/influxdb-client';
import { authHeader, serverMessage, WriteTarget } from './http-write';
import { flux, influxql, QueryRequest } from './queries';
import { QueryRow, rowsFromFlux, rowsFromInfluxQL } from './query-results';

export type QueryTarget = Omit<WriteTarget, 'gzip'>;

export async function runQuery(t: QueryTarget, req: QueryRequest): Promise<{ query: string; rows: QueryRow[] }> {
  if (!t.url) throw new Error('no database configured (INFLUX_URL is empty)');
  if (t.version === 1) {
    const query = influxql(req);
    const params = new URLSearchParams({ db: t.database, epoch: 'ms', q: query });
    if (t.retentionPolicy) params.set('rp', t.retentionPolicy);
    const headers: Record<string, string> = {};
    const auth = authHeader({ ...t, gzip: false });
    if (auth) headers.Authorization = auth;
    const res = await fetch(`${t.url.replace(/\/+$/, '')}/query`, { method: 'POST', headers, body: params, signal: AbortSignal.timeout(t.timeoutMs) });
    const text = await res.text();
    if (!res.ok) throw new Error(`InfluxDB answered HTTP ${res.status}: ${serverMessage(text)}`);
    return { query, rows: rowsFromInfluxQL(req, JSON.parse(text)) };
  }
  const query = flux(req, t.bucket);
  const api = new InfluxDB({ url: t.url, token: t.token, timeout: t.timeoutMs }).getQueryApi(t.org);
  const records = await api.collectRows<Record<string, unknown>>(query);
  return { query, rows: rowsFromFlux(req, records) };
}
