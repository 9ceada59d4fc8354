/**
 * Helpers for the InfluxDB integration tests: a dedicated influxd with a small
 * max-body-size, counting queries,
 * polling, and the writer flow for node-red-node-test-helper.
 */
import path from 'path';
import { influxQuery, Service, startInflux1 } from '../support/services';

/** influxd 1.x whose HTTP endpoint refuses bodies over `maxBodySize` bytes with 413. */
export function startInflux1Small(maxBodySize: number): Promise<Service> {
  return startInflux1({ maxBodySize });
}

export async function influxExec(url: string, q: string): Promise<void> {
  const res = await fetch(`${url}/query`, { method: 'POST', body: new URLSearchParams({ q }) });
  const body = await res.text();
  if (!res.ok || body.includes('"error"')) throw new Error(`${q}: HTTP ${res.status} ${body}`);
}

export async function writeRaw(url: string, db: string, lines: string): Promise<void> {
  const res = await fetch(`${url}/write?db=${db}&precision=ms`, { method: 'POST', body: lines });
  if (res.status !== 204) throw new Error(`seed write failed: HTTP ${res.status} ${await res.text()}`);
}

/** count(field) over a measurement, 0 when there is none (or the server is down). */
export async function countPoints(url: string, db: string, measurement: string, field: string): Promise<number> {
  try {
    const rows = await influxQuery(url, db, `SELECT count("${field}") FROM "${measurement}"`);
    return rows.length ? Number(rows[0].count) : 0;
  } catch {
    return 0;
  }
}

export async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 60_000, every = 200): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

export interface WriterFlowOptions {
  version?: '1' | '2';
  url: string;
  database?: string;
  bucket?: string;
  org?: string;
  batchSize?: number;
  flushMs?: number;
  timeoutMs?: number;
  gzip?: boolean;
}

/** tab + iot-influxdb-config "influxdb-default" + writer "writer" -> helpers "written" / "errors". */
export function writerFlow(o: WriterFlowOptions): unknown[] {
  return [
    { id: 'tab', type: 'tab', label: 'test' },
    {
      id: 'influxdb-default',
      type: 'iot-influxdb-config',
      version: o.version ?? '1',
      url: o.url,
      database: o.database ?? 'iot',
      retentionPolicy: '',
      org: o.org ?? 'iot',
      bucket: o.bucket ?? 'iot',
      configVersion: 1,
    },
    {
      id: 'writer',
      type: 'influxdb-writer',
      z: 'tab',
      influx: 'influxdb-default',
      measurement: '',
      batchSize: o.batchSize ?? 500,
      flushMs: o.flushMs ?? 200,
      gzip: o.gzip ?? false,
      spoolMaxMB: 50,
      timeoutMs: o.timeoutMs ?? 3000,
      configVersion: 1,
      wires: [['written'], ['errors']],
    },
    { id: 'written', type: 'helper', z: 'tab' },
    { id: 'errors', type: 'helper', z: 'tab' },
  ];
}

export const writerModules = (): unknown[] => {
  const root = path.resolve(__dirname, '..', '..', 'nodes', 'influxdb');
  return [require(path.join(root, 'influxdb-config.js')), require(path.join(root, 'influxdb-writer.js'))];
};
