/**
 * Helpers for the InfluxDB integration tests: a dedicated influxd with a small
 * max-body-size (startInflux1 in test/support uses 25 MB), counting queries,
 * polling, and the writer flow for node-red-node-test-helper.
 */
import { spawn } from 'child_process';
import fs from 'fs';
import path from 'path';
import { freePort, influxQuery, tempDir, waitForHttp, waitForPort, which } from '../support/services';

export interface SmallInflux {
  url: string;
  stop(): Promise<void>;
  output(): string;
}

/** influxd 1.x whose HTTP endpoint refuses bodies over `maxBodySize` bytes with 413. */
export async function startInflux1Small(maxBodySize: number): Promise<SmallInflux> {
  const bin = which('influxd');
  if (!bin) throw new Error('influxd is not installed');
  const [port, rpc] = [await freePort(), await freePort()];
  const dir = tempDir('influx-small');
  fs.writeFileSync(path.join(dir, 'influxdb.conf'), `reporting-disabled = true
bind-address = "127.0.0.1:${rpc}"
[meta]
  dir = "${dir}/meta"
[data]
  dir = "${dir}/data"
  wal-dir = "${dir}/wal"
  query-log-enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:${port}"
  log-enabled = false
  max-body-size = ${maxBodySize}
[monitor]
  store-enabled = false
[logging]
  level = "warn"
`);
  let log = '';
  const proc = spawn(bin, ['-config', path.join(dir, 'influxdb.conf')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout.on('data', (d) => (log = (log + d).slice(-10_000)));
  proc.stderr.on('data', (d) => (log = (log + d).slice(-10_000)));
  const stop = () => new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    const kill = setTimeout(() => proc.kill('SIGKILL'), 5000);
    proc.once('exit', () => { clearTimeout(kill); resolve(); });
    proc.kill('SIGTERM');
  });
  try {
    await waitForPort(port);
    await waitForHttp(`http://127.0.0.1:${port}/ping`);
  } catch (err) {
    await stop();
    throw new Error(`influxd did not start: ${(err as Error).message}\n${log}`);
  }
  return { url: `http://127.0.0.1:${port}`, stop, output: () => log };
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

/** tab + influxdb-config "influxdb-default" + writer "writer" -> helpers "written" / "errors". */
export function writerFlow(o: WriterFlowOptions): unknown[] {
  return [
    { id: 'tab', type: 'tab', label: 'test' },
    { id: 'influxdb-default', type: 'influxdb-config', version: o.version ?? '1', url: o.url, database: o.database ?? 'iot', retentionPolicy: '', org: o.org ?? 'iot', bucket: o.bucket ?? 'iot', configVersion: 1 },
    {
      id: 'writer', type: 'influxdb-writer', z: 'tab', influx: 'influxdb-default', measurement: '',
      batchSize: o.batchSize ?? 500, flushMs: o.flushMs ?? 200, gzip: o.gzip ?? false, spoolMaxMB: 50, timeoutMs: o.timeoutMs ?? 3000,
      configVersion: 1, wires: [['written'], ['errors']],
    },
    { id: 'written', type: 'helper', z: 'tab' },
    { id: 'errors', type: 'helper', z: 'tab' },
  ];
}

export const writerModules = (): unknown[] => {
  const root = path.resolve(__dirname, '..', '..', 'nodes', 'influxdb-writer');
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return [require(path.join(root, 'influxdb-config.js')), require(path.join(root, 'influxdb-writer.js'))];
};
