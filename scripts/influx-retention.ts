/**
 * Retention and downsampling for the readings database (the telemetry seed:
 * raw data kept 90 days, hourly mean / min / max / count kept longer).
 *
 * 1.x: retention policy "raw" (default, 90d) + "hourly" (730d) and a
 *      continuous query writing hourly aggregates of every measurement.
 * 2.x: the readings bucket's retention set to 90d, a bucket "<bucket>_hourly"
 *      (730d) and a task writing the hourly aggregates into it.
 *
 *   node dist/scripts/influx-retention.js [--dry-run] [--first-start] [--raw 90d] [--hourly 730d]
 *   (target from INFLUX_URL, INFLUX_VERSION, INFLUX_DB / INFLUX_ORG, INFLUX_BUCKET, INFLUX_TOKEN;
 *   durations also from INFLUX_RETENTION, INFLUX_HOURLY_RETENTION)
 *
 * --first-start (the Pi's systemd unit runs it before the app): does nothing
 * without INFLUX_URL, and applies once per target and durations, remembered in
 * <DATA_DIR>/influx-retention.json, so a later INFLUX_URL is set up on the
 * next start and a failed attempt is tried again.
 *
 * Safe to run again: existing policies are altered, the continuous query and
 * the task are replaced.
 */
import fs from 'fs';
import path from 'path';

export interface RetentionOptions {
  version: 1 | 2;
  url: string;
  database: string;
  org: string;
  bucket: string;
  token?: string;
  /** Raw data retention, e.g. 90d. */
  raw: string;
  /** Hourly aggregates retention, e.g. 730d. */
  hourly: string;
}

const DURATION = /^\d+[hdw]$/;
/** A database that does not answer must not hold up the app's start for long. */
const TIMEOUT_MS = 15_000;
const ident = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const fluxStr = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$\{/g, '\\${')}"`;

function checkDurations(o: RetentionOptions): void {
  for (const [k, v] of [
    ['raw', o.raw],
    ['hourly', o.hourly],
  ]) {
    if (!DURATION.test(v)) throw new Error(`--${k} must be a duration in hours, days or weeks such as 90d, got "${v}"`);
  }
}

export function durationSeconds(d: string): number {
  const n = Number(d.slice(0, -1));
  return n * { h: 3600, d: 86_400, w: 604_800 }[d.slice(-1) as 'h' | 'd' | 'w'];
}

/** The continuous query: hourly aggregates of every numeric field of every measurement. */
export function continuousQuery(db: string): string {
  return (
    `CREATE CONTINUOUS QUERY "cq_hourly" ON ${ident(db)} RESAMPLE EVERY 1h FOR 2h BEGIN ` +
    `SELECT mean(*), min(*), max(*), count(*) INTO ${ident(db)}."hourly".:MEASUREMENT FROM ${ident(db)}."raw"./.*/ GROUP BY time(1h), * END`
  );
}

/**
 * InfluxQL statements for 1.x, given the policies and queries that exist
 * (from SHOW RETENTION POLICIES / SHOW CONTINUOUS QUERIES).
 */
export function influx1Statements(o: RetentionOptions, existingPolicies: string[], existingQueries: string[]): string[] {
  checkDurations(o);
  const db = ident(o.database);
  const policy = (name: string, duration: string, isDefault: boolean): string =>
    existingPolicies.includes(name)
      ? `ALTER RETENTION POLICY ${ident(name)} ON ${db} DURATION ${duration} REPLICATION 1${isDefault ? ' DEFAULT' : ''}`
      : `CREATE RETENTION POLICY ${ident(name)} ON ${db} DURATION ${duration} REPLICATION 1${isDefault ? ' DEFAULT' : ''}`;
  const out = [`CREATE DATABASE ${db}`, policy('raw', o.raw, true), policy('hourly', o.hourly, false)];
  if (existingQueries.includes('cq_hourly')) out.push(`DROP CONTINUOUS QUERY "cq_hourly" ON ${db}`);
  out.push(continuousQuery(o.database));
  return out;
}

/** The 2.x downsampling task's Flux. */
export function downsampleTask(o: Pick<RetentionOptions, 'bucket' | 'org'>): string {
  const src = fluxStr(o.bucket);
  const dst = fluxStr(`${o.bucket}_hourly`);
  const fns = ['mean', 'min', 'max', 'count'];
  return [
    'option task = {name: "iot-downsample-hourly", every: 1h, offset: 5m}',
    '',
    `data = from(bucket: ${src})`,
    '  |> range(start: -task.every)',
    '  |> filter(fn: (r) => r._field != "event" and r._field != "eventId")',
    '',
    ...fns.map(
      (f) =>
        `data |> aggregateWindow(every: 1h, fn: ${f}, createEmpty: false) |> toFloat() |> map(fn: (r) => ({r with _field: "${f}_" + r._field})) |> to(bucket: ${dst}, org: ${fluxStr(o.org)})`,
    ),
  ].join('\n');
}

async function influx1Query(o: RetentionOptions, q: string): Promise<Array<{ series?: Array<{ columns: string[]; values: unknown[][] }>; error?: string }>> {
  const headers: Record<string, string> = {};
  if (o.token) headers.Authorization = o.token.includes(':') ? `Basic ${Buffer.from(o.token).toString('base64')}` : `Token ${o.token}`;
  const res = await fetch(`${o.url.replace(/\/+$/, '')}/query`, {
    method: 'POST',
    headers,
    body: new URLSearchParams({ q, db: o.database }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const body = (await res.json()) as { results?: Array<{ error?: string }>; error?: string };
  if (!res.ok || body.error) throw new Error(`${q}: HTTP ${res.status} ${body.error ?? ''}`);
  for (const r of body.results ?? []) if (r.error && !/database not found/.test(r.error)) throw new Error(`${q}: ${r.error}`);
  return body.results as Array<{ series?: Array<{ columns: string[]; values: unknown[][] }> }>;
}

export async function applyInflux1(o: RetentionOptions, dryRun = false): Promise<string[]> {
  await influx1Query(o, `CREATE DATABASE ${ident(o.database)}`);
  const rps = await influx1Query(o, `SHOW RETENTION POLICIES ON ${ident(o.database)}`);
  const policies = (rps[0]?.series?.[0]?.values ?? []).map((v) => String(v[0]));
  const cqs = await influx1Query(o, 'SHOW CONTINUOUS QUERIES');
  const queries = (cqs[0]?.series ?? []).flatMap((s) => (s.values ?? []).map((v) => String(v[0])));
  const statements = influx1Statements(o, policies, queries);
  if (!dryRun) for (const s of statements) await influx1Query(o, s);
  return statements;
}

/** One v2 API call; the answer's JSON, typed by the caller (only the fields it reads). */
async function api<T = unknown>(o: RetentionOptions, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${o.url.replace(/\/+$/, '')}${path}`, {
    method,
    headers: { Authorization: `Token ${o.token ?? ''}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** 2.x/3.x through the HTTP API: bucket retention, hourly bucket, downsampling task. */
export async function applyInflux2(o: RetentionOptions, dryRun = false): Promise<string[]> {
  checkDurations(o);
  const plan = [
    `bucket ${o.bucket}: retention ${o.raw}`,
    `bucket ${o.bucket}_hourly: retention ${o.hourly}`,
    `task iot-downsample-hourly:\n${downsampleTask(o)}`,
  ];
  if (dryRun) return plan;
  const orgs = await api<{ orgs?: Array<{ id: string }> }>(o, 'GET', `/api/v2/orgs?org=${encodeURIComponent(o.org)}`);
  const orgID = orgs.orgs?.[0]?.id;
  if (!orgID) throw new Error(`organisation "${o.org}" not found`);
  const upsertBucket = async (name: string, duration: string): Promise<void> => {
    const found = await api<{ buckets?: Array<{ id: string }> }>(o, 'GET', `/api/v2/buckets?orgID=${orgID}&name=${encodeURIComponent(name)}`);
    const rules = [{ type: 'expire', everySeconds: durationSeconds(duration) }];
    const id = found.buckets?.[0]?.id;
    if (id) await api(o, 'PATCH', `/api/v2/buckets/${id}`, { retentionRules: rules });
    else await api(o, 'POST', '/api/v2/buckets', { orgID, name, retentionRules: rules });
  };
  await upsertBucket(o.bucket, o.raw);
  await upsertBucket(`${o.bucket}_hourly`, o.hourly);
  const tasks = await api<{ tasks?: Array<{ id: string }> }>(o, 'GET', `/api/v2/tasks?orgID=${orgID}&name=iot-downsample-hourly`);
  for (const t of tasks.tasks ?? []) await api(o, 'DELETE', `/api/v2/tasks/${t.id}`);
  await api(o, 'POST', '/api/v2/tasks', { orgID, flux: downsampleTask(o), status: 'active' });
  return plan;
}

export function optionsFrom(argv: string[], env: NodeJS.ProcessEnv): RetentionOptions & { dryRun: boolean } {
  const arg = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const url = arg('url') || env.INFLUX_URL || '';
  if (!/^https?:\/\//.test(url)) throw new Error('set INFLUX_URL (or --url), e.g. http://127.0.0.1:8086');
  return {
    version: (arg('version') || env.INFLUX_VERSION || '2') === '1' ? 1 : 2,
    url,
    database: arg('db') || env.INFLUX_DB || 'iot',
    org: arg('org') || env.INFLUX_ORG || 'iot',
    bucket: arg('bucket') || env.INFLUX_BUCKET || 'iot',
    token: env.INFLUX_TOKEN || undefined,
    raw: arg('raw') || env.INFLUX_RETENTION || '90d',
    hourly: arg('hourly') || env.INFLUX_HOURLY_RETENTION || '730d',
    dryRun: argv.includes('--dry-run'),
  };
}

/** What --first-start remembers: the target and durations last applied. */
export function firstStartKey(o: RetentionOptions): string {
  return `${o.version} ${o.url.replace(/\/+$/, '')} ${o.version === 1 ? o.database : `${o.org}/${o.bucket}`} raw=${o.raw} hourly=${o.hourly}`;
}

/** --first-start: applies once per target (see the header); returns what it did, for the log. */
export async function firstStart(argv: string[], env: NodeJS.ProcessEnv): Promise<string> {
  if (!env.INFLUX_URL && !argv.includes('--url')) return 'skipped: INFLUX_URL is not set (readings are spooled until it is)';
  const o = optionsFrom(argv, env);
  const marker = path.join(env.DATA_DIR || '.data', 'influx-retention.json');
  const key = firstStartKey(o);
  let done: { key?: string; at?: string } = {};
  try {
    done = JSON.parse(fs.readFileSync(marker, 'utf8'));
  } catch {
    /* first start */
  }
  if (done.key === key) return `already applied on ${done.at} (${key}); ${marker}`;
  const applied = o.version === 1 ? await applyInflux1(o) : await applyInflux2(o);
  fs.mkdirSync(path.dirname(marker), { recursive: true });
  fs.writeFileSync(marker, `${JSON.stringify({ key, at: new Date().toISOString(), applied }, null, 2)}\n`);
  return `Applied (InfluxDB ${o.version}.x at ${o.url}):\n${applied.map((s) => `  ${s}`).join('\n')}`;
}

if (require.main === module) {
  (async () => {
    if (process.argv.includes('--first-start')) {
      console.log(`influx-retention: ${await firstStart(process.argv.slice(2), process.env)}`);
      return;
    }
    const o = optionsFrom(process.argv.slice(2), process.env);
    const done = o.version === 1 ? await applyInflux1(o, o.dryRun) : await applyInflux2(o, o.dryRun);
    console.log(`${o.dryRun ? 'Would apply' : 'Applied'} (InfluxDB ${o.version}.x at ${o.url}):\n${done.map((s) => `  ${s}`).join('\n')}`);
  })().catch((err) => {
    console.error(`influx-retention: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
