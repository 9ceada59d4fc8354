/**
 * Settings of the iot-influxdb-config, influxdb-writer and influxdb-query nodes,
 * parsed and checked in one place.
 *
 * Flow files hold `${INFLUX_URL}`-style values. Node-RED replaces them with
 * the environment at deploy; an unset variable is left as the literal text,
 * which we treat as empty. Node-RED 4.1 also substitutes `${VAR}` inside
 * credential values, but flow files carry no credentials at all, so an empty
 * token falls back to the INFLUX_TOKEN environment variable.
 */
import { fieldParsers } from '../common/config-parse';
import { blankEnvRef } from '../common/env';
import { ValidationError } from '../common/errors';
import { redact } from '../common/redact';
import type { NodeDef } from '../common/red';
import type { WriteTarget } from './http-write';

/** iot-influxdb-config node. */
export interface InfluxConfig {
  /** 1 for InfluxDB 1.x, 2 for 2.x and 3.x (v2 write API). */
  version: 1 | 2;
  /** Base URL; empty means no database is configured (writers spool). */
  url: string;
  /** 1.x database. */
  database: string;
  /** 1.x retention policy; empty: the database default. */
  retentionPolicy: string;
  /** 2.x organisation. */
  org: string;
  /** 2.x bucket. */
  bucket: string;
  configVersion: number;
  /**
   * User and password written into the URL (`http://user:pw@host:8086`): fetch refuses such
   * URLs, so `url` holds the URL without them and they are sent as an Authorization header.
   * Not enumerable, so no copy or JSON of the config carries the password.
   */
  readonly urlCredentials?: { user: string; password: string };
}

/** A base URL without its user and password, and those (decoded), when it has them. */
export function splitUrlCredentials(url: string): { url: string; user?: string; password?: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { url };
  }
  if (!u.username && !u.password) return { url };
  const user = decodeURIComponent(u.username);
  const password = decodeURIComponent(u.password);
  u.username = '';
  u.password = '';
  return { url: u.toString().replace(/\/$/, ''), user, password };
}

export interface InfluxCredentials {
  user?: string;
  password?: string;
  token?: string;
}

export const CONFIG_DEFAULTS: InfluxConfig = { version: 2, url: '', database: 'iot', retentionPolicy: '', org: 'iot', bucket: 'iot', configVersion: 1 };

/** CONFIG_DEFAULTS as the dialog holds them (exported to the editor): the version as its select's value. */
export const CONFIG_EDITOR_DEFAULTS = { ...CONFIG_DEFAULTS, version: String(CONFIG_DEFAULTS.version) };

export function parseInfluxConfig(def: NodeDef): InfluxConfig {
  const versionText = blankEnvRef(def.version) || String(CONFIG_DEFAULTS.version);
  if (versionText !== '1' && versionText !== '2' && versionText !== '3') {
    throw new ValidationError(`version must be 1 or 2 (INFLUX_VERSION), got "${versionText}"`, 'version');
  }
  const raw = blankEnvRef(def.url);
  if (raw && !/^https?:\/\/[^/\s]+/.test(raw)) throw new ValidationError(`url must look like http://host:8086 (INFLUX_URL), got "${redact(raw)}"`, 'url');
  const { url, user, password } = splitUrlCredentials(raw);
  const config: InfluxConfig = {
    version: versionText === '1' ? 1 : 2,
    url,
    database: blankEnvRef(def.database) || CONFIG_DEFAULTS.database,
    retentionPolicy: blankEnvRef(def.retentionPolicy),
    org: blankEnvRef(def.org) || CONFIG_DEFAULTS.org,
    bucket: blankEnvRef(def.bucket) || CONFIG_DEFAULTS.bucket,
    configVersion: CONFIG_DEFAULTS.configVersion,
  };
  if (user !== undefined) Object.defineProperty(config, 'urlCredentials', { value: { user, password: password ?? '' }, enumerable: false });
  return config;
}

/**
 * Credentials to use: the node's own, else INFLUX_TOKEN from the environment,
 * else the user and password of the URL (sent as Basic auth).
 * For 1.x a token of the form `user:password` is split into both.
 */
export function resolveCredentials(
  version: 1 | 2,
  creds: InfluxCredentials,
  env: NodeJS.ProcessEnv = process.env,
  fromUrl?: { user: string; password: string },
): InfluxCredentials {
  const own = { user: blankEnvRef(creds.user), password: blankEnvRef(creds.password), token: blankEnvRef(creds.token) };
  const envToken = env.INFLUX_TOKEN || '';
  if (version === 2) {
    const token = own.token || envToken;
    if (token) return { token };
    return fromUrl ? { user: fromUrl.user, password: fromUrl.password } : { token: undefined };
  }
  if (own.user) return { user: own.user, password: own.password };
  if (!own.token && !envToken && fromUrl) return { user: fromUrl.user, password: fromUrl.password };
  if (own.token) return { token: own.token };
  if (envToken.includes(':')) {
    const i = envToken.indexOf(':');
    return { user: envToken.slice(0, i), password: envToken.slice(i + 1) };
  }
  return envToken ? { token: envToken } : {};
}

/** influxdb-writer node. */
export interface WriterConfig {
  /** Measurement for every reading; empty: the Reading's sensorType (then kept as the tag sensorType otherwise). */
  measurement: string;
  /** Lines per request. */
  batchSize: number;
  /** Bytes per request at most (a batch closes on lines or bytes, whichever comes first); not in the dialog. */
  maxBatchBytes: number;
  /** Longest wait before a partial batch is sent, ms. */
  flushMs: number;
  /** Compress request bodies. */
  gzip: boolean;
  /** Bound on the disk spool, MB. Past it the oldest data is dropped and counted. */
  spoolMaxMB: number;
  /** Request timeout, ms. */
  timeoutMs: number;
  configVersion: number;
}

export const WRITER_DEFAULTS: WriterConfig = {
  measurement: '',
  batchSize: 5000,
  maxBatchBytes: 50_000_000,
  flushMs: 1000,
  gzip: false,
  spoolMaxMB: 100,
  timeoutMs: 10_000,
  configVersion: 1,
};

const { num, bool } = fieldParsers(WRITER_DEFAULTS);

/** influxdb-query node: what it asks for when neither the message nor the node says otherwise. */
export const QUERY_DEFAULTS = {
  mode: 'raw',
  measurement: '',
  deviceId: '',
  metric: '',
  start: '-1h',
  stop: '',
  interval: '1h',
  fn: 'mean',
  limit: 1000,
  timeoutMs: 10_000,
  configVersion: 1,
} as const;

export function parseWriterConfig(def: NodeDef): WriterConfig {
  // configVersion 0 (none) had no timeout field: the defaults cover it.
  return {
    measurement: blankEnvRef(def.measurement),
    batchSize: Math.round(num(def, 'batchSize', 1, 100_000)),
    maxBatchBytes: Math.round(num(def, 'maxBatchBytes', 1024, 1_000_000_000)),
    flushMs: num(def, 'flushMs', 10, 600_000),
    gzip: bool(def, 'gzip'),
    spoolMaxMB: num(def, 'spoolMaxMB', 1, 1_000_000),
    timeoutMs: num(def, 'timeoutMs', 100, 600_000),
    configVersion: WRITER_DEFAULTS.configVersion,
  };
}

export function writeTarget(c: InfluxConfig, creds: InfluxCredentials, w: Pick<WriterConfig, 'gzip' | 'timeoutMs'>): WriteTarget {
  return {
    version: c.version,
    url: c.url,
    database: c.database,
    retentionPolicy: c.retentionPolicy,
    org: c.org,
    bucket: c.bucket,
    ...creds,
    gzip: w.gzip,
    timeoutMs: w.timeoutMs,
  };
}

/** What an iot-influxdb-config node instance offers to the writer and query nodes. */
export interface InfluxConfigHandle {
  /** Parsed settings, or undefined when they are invalid (see configError). */
  influx?: InfluxConfig;
  configError?: string;
  /** Credentials after the INFLUX_TOKEN fallback. */
  resolvedCredentials(): InfluxCredentials;
}
