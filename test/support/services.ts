/**
 * Real services for integration tests: Mosquitto, InfluxDB 1.x and
 * VictoriaMetrics (the v2 write API), each started on free loopback ports in a
 * temporary folder and stopped by the test.
 *
 * With CI=true a missing program fails the test (DEVELOPERS.md: no skipping in
 * CI); elsewhere the test is skipped with the reason.
 */
import { spawn, ChildProcess, execFileSync } from 'child_process';
import fs from 'fs';
import net from 'net';
import os from 'os';
import path from 'path';

export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

/** Absolute path of a program on PATH (or in /usr/sbin), or undefined. */
export function which(program: string): string | undefined {
  for (const dir of [...(process.env.PATH || '').split(':'), '/usr/sbin', '/sbin']) {
    const p = path.join(dir, program);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* keep looking */
    }
  }
  return undefined;
}

/**
 * Why a test cannot run here, or undefined when it can. In CI a missing program
 * throws instead, so the suite fails loudly.
 */
export function missing(...programs: string[]): string | undefined {
  const absent = programs.filter((p) => !which(p));
  if (absent.length === 0) return undefined;
  const reason = `not installed: ${absent.join(', ')} (run .ci/run or apt-get install them)`;
  if (IN_CI) throw new Error(`integration test needs ${reason}`);
  return reason;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `iot-${prefix}-`));
}

export async function waitForPort(port: number, timeoutMs = 15_000, host = '127.0.0.1'): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.connect(port, host);
      sock.once('connect', () => {
        sock.destroy();
        resolve(true);
      });
      sock.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`nothing listening on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface Service {
  port: number;
  url: string;
  dir: string;
  proc: ChildProcess;
  /** Output of the process so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
  /** Starts the stopped process again on the same port and data. */
  start(): Promise<void>;
  /** Stops the process and starts it again on the same port and data. */
  restart(): Promise<void>;
}

function launch(cmd: string, args: string[], dir: string, port: number, url: string): Promise<Service> {
  let log = '';
  const start = (): ChildProcess => {
    const proc = spawn(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout?.on('data', (d) => (log = (log + d).slice(-20_000)));
    proc.stderr?.on('data', (d) => (log = (log + d).slice(-20_000)));
    return proc;
  };
  const svc: Service = {
    port,
    url,
    dir,
    proc: start(),
    output: () => log,
    async stop() {
      const p = svc.proc;
      if (p.exitCode !== null || p.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        const kill = setTimeout(() => p.kill('SIGKILL'), 5000);
        p.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        p.kill('SIGTERM');
      });
    },
    async start() {
      if (svc.proc.exitCode === null && svc.proc.signalCode === null) return;
      svc.proc = start();
      await waitForPort(port);
    },
    async restart() {
      await svc.stop();
      await svc.start();
    },
  };
  return waitForPort(port).then(
    () => svc,
    async (err: Error) => {
      await svc.stop();
      throw new Error(`${cmd} did not start: ${err.message}\n${log}`);
    },
  );
}

export interface MosquittoOptions {
  /** Extra mosquitto.conf lines (listener, password_file, acl_file...). */
  extraConfig?: string;
  /** Full config to use instead of the default anonymous listener. `{{port}}` and `{{dir}}` are substituted. */
  config?: string;
}

/** Mosquitto on a free port, anonymous by default, queues sized for bursts. */
export async function startMosquitto(opts: MosquittoOptions = {}): Promise<Service> {
  const bin = which('mosquitto');
  if (!bin) throw new Error('mosquitto is not installed');
  const port = await freePort();
  const dir = tempDir('mosquitto');
  const config = opts.config
    ? opts.config.replace(/\{\{port\}\}/g, String(port)).replace(/\{\{dir\}\}/g, dir)
    : [
        `listener ${port} 127.0.0.1`,
        'allow_anonymous true',
        'persistence false',
        'max_queued_messages 0',
        'max_inflight_messages 0',
        opts.extraConfig || '',
      ].join('\n');
  // As root, Mosquitto drops to the `mosquitto` user, which cannot read a private temp folder.
  const asRoot = process.getuid?.() === 0 && !/^user /m.test(config) ? 'user root\n' : '';
  fs.writeFileSync(path.join(dir, 'mosquitto.conf'), `${asRoot}${config}\n`);
  return launch(bin, ['-c', path.join(dir, 'mosquitto.conf')], dir, port, `mqtt://127.0.0.1:${port}`);
}

/**
 * InfluxDB 1.x (Debian `influxdb`) with its data in a temporary folder; `maxBodySize` in bytes (413 above it).
 * With `auth`, HTTP authentication is on and that user is created as an admin.
 */
export async function startInflux1(opts: { maxBodySize?: number; auth?: { user: string; password: string } } = {}): Promise<Service> {
  const bin = which('influxd');
  if (!bin) throw new Error('influxd is not installed');
  const [port, rpc] = [await freePort(), await freePort()];
  const dir = tempDir('influx');
  const conf = `
reporting-disabled = true
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
  auth-enabled = ${opts.auth ? 'true' : 'false'}
  max-body-size = ${opts.maxBodySize ?? 25_000_000}
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = true
  run-interval = "1s"
[logging]
  level = "warn"
`;
  fs.writeFileSync(path.join(dir, 'influxdb.conf'), conf);
  const svc = await launch(bin, ['-config', path.join(dir, 'influxdb.conf')], dir, port, `http://127.0.0.1:${port}`);
  await waitForHttp(`${svc.url}/ping`);
  if (opts.auth) {
    // With no user yet, InfluxDB 1.x lets the first admin be created without credentials.
    const q = `CREATE USER "${opts.auth.user}" WITH PASSWORD '${opts.auth.password.replace(/'/g, "\\'")}' WITH ALL PRIVILEGES`;
    const res = await fetch(`${svc.url}/query`, { method: 'POST', body: new URLSearchParams({ q }) });
    if (!res.ok) throw new Error(`influxd: creating the admin user failed: HTTP ${res.status} ${await res.text()}`);
  }
  return svc;
}

/** VictoriaMetrics, which accepts InfluxDB line protocol on /write and /api/v2/write. */
export async function startVictoriaMetrics(): Promise<Service> {
  const bin = which('victoria-metrics');
  if (!bin) throw new Error('victoria-metrics is not installed');
  const port = await freePort();
  const dir = tempDir('vm');
  const svc = await launch(
    bin,
    [`-httpListenAddr=127.0.0.1:${port}`, `-storageDataPath=${dir}/data`, '-loggerLevel=ERROR', '-search.latencyOffset=0s'],
    dir,
    port,
    `http://127.0.0.1:${port}`,
  );
  await waitForHttp(`${svc.url}/health`);
  return svc;
}

export async function waitForHttp(url: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > end) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs an InfluxQL query against a 1.x server and returns the first series' rows as objects. */
export async function influxQuery(url: string, db: string, q: string): Promise<Array<Record<string, unknown>>> {
  const res = await fetch(`${url}/query?db=${encodeURIComponent(db)}&epoch=ms&q=${encodeURIComponent(q)}`);
  const body = (await res.json()) as { results: Array<{ series?: Array<{ columns: string[]; values: unknown[][] }>; error?: string }> };
  const r = body.results[0];
  if (r.error) throw new Error(r.error);
  const rows: Array<Record<string, unknown>> = [];
  for (const s of r.series || []) {
    for (const v of s.values) rows.push(Object.fromEntries(s.columns.map((c, i) => [c, v[i]])));
  }
  return rows;
}

export function programVersion(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8' }).split('\n')[0];
  } catch {
    return 'unknown';
  }
}

/** redis-server (Debian `redis-server`) on a free port, no persistence, in a temporary folder. */
export async function startRedis(): Promise<Service> {
  const bin = which('redis-server');
  if (!bin) throw new Error('redis-server is not installed');
  const port = await freePort();
  const dir = tempDir('redis');
  const conf = [`port ${port}`, 'bind 127.0.0.1', 'save ""', 'appendonly no', `dir ${dir}`, 'daemonize no', 'loglevel warning', 'protected-mode no'].join('\n');
  fs.writeFileSync(path.join(dir, 'redis.conf'), `${conf}\n`);
  return launch(bin, [path.join(dir, 'redis.conf')], dir, port, `redis://127.0.0.1:${port}`);
}
