/**
 * The app's environment, read and checked in one place (README, "Configuration").
 * Every variable is optional; unset means the embedded default.
 */
import { hasControlChar } from '../nodes/common/control-chars';
import path from 'path';
import { redact } from '../nodes/common/redact';

export interface AppEnv {
  port: number;
  host: string;
  dataDir: string;
  /** Broker URL the flows use: MQTT_URL, or the embedded broker's. */
  mqttUrl: string;
  /** True when no MQTT_URL is set and the embedded broker runs. */
  embeddedBroker: boolean;
  embeddedPort: number;
  /** MQTT over WebSocket port of the embedded broker (MQTT_EMBEDDED_WS_PORT, default 9001, loopback); 0 turns it off. */
  embeddedWsPort: number;
  simulateDevices: number;
  production: boolean;
  credentialSecret?: string;
  adminUser: string;
  adminPasswordHash?: string;
  /** PEM files for HTTPS; both or neither. */
  tlsCertFile?: string;
  tlsKeyFile?: string;
  logLevel: string;
  /** Messages nested deeper are dropped and counted before Node-RED clones them (MAX_MESSAGE_DEPTH). */
  maxMessageDepth: number;
  logFormat: 'text' | 'json';
  /** lifecompanion/system/health every so many seconds (SYSTEM_HEALTH_INTERVAL_S, default 30); 0 turns it off. */
  systemHealthIntervalS: number;
  /** Its topic (SYSTEM_HEALTH_TOPIC). */
  systemHealthTopic: string;
  /** A device counts as active this long after its last reading (ACTIVE_DEVICE_WINDOW_S, default 300). */
  activeDeviceWindowS: number;
  /** Shared subscription group of the telemetry subscriptions (MQTT_SHARE_GROUP, scale-out); empty: plain subscriptions. */
  shareGroup: string;
  /** Shared state backend (REDIS_URL, scale-out); empty: local files. */
  redisUrl: string;
}

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

function int(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${value}"`);
  }
  return n;
}

function topicName(t: string): string {
  if (/[#+]/.test(t) || t.includes('\0') || t.length > 256) throw new Error(`SYSTEM_HEALTH_TOPIC must be a plain topic (no wildcards), got "${t}"`);
  return t;
}

/** Parses the environment; throws an Error whose message names the bad variable. */
export function readEnv(env: NodeJS.ProcessEnv = process.env): AppEnv {
  const embeddedPort = int('MQTT_EMBEDDED_PORT', env.MQTT_EMBEDDED_PORT, 1883, 1, 65535);
  const mqttUrl = env.MQTT_URL || '';
  if (mqttUrl && !/^(mqtts?|wss?|tcp|tls):\/\/[^/]+/.test(mqttUrl)) {
    throw new Error(`MQTT_URL must look like mqtt://host:1883 or mqtts://host:8883, got "${redact(mqttUrl)}"`);
  }
  const logFormat = (env.LOG_FORMAT || 'text').toLowerCase();
  if (logFormat !== 'text' && logFormat !== 'json') throw new Error(`LOG_FORMAT must be text or json, got "${env.LOG_FORMAT}"`);
  if (Boolean(env.TLS_CERT_FILE) !== Boolean(env.TLS_KEY_FILE)) throw new Error('TLS_CERT_FILE and TLS_KEY_FILE must be set together');
  const shareGroup = (env.MQTT_SHARE_GROUP || '').trim();
  if (/[/+#\s]/.test(shareGroup) || hasControlChar(shareGroup) || shareGroup.length > 128) {
    throw new Error(`MQTT_SHARE_GROUP must be a plain name without / + # or spaces, got "${shareGroup}"`);
  }
  if (shareGroup && !mqttUrl) {
    throw new Error(
      'MQTT_SHARE_GROUP needs MQTT_URL: the embedded broker (aedes) has no shared subscriptions, and it lives and dies with one instance; run Mosquitto 2 (or EMQX, HiveMQ) for scale-out',
    );
  }
  const redisUrl = (env.REDIS_URL || '').trim();
  if (redisUrl && !/^rediss?:\/\/[^/]*/.test(redisUrl))
    throw new Error(`REDIS_URL must look like redis://host:6379 or rediss://host:6380, got "${redact(redisUrl)}"`);
  return {
    port: int('PORT', env.PORT, 1880, 1, 65535),
    host: env.HOST || '127.0.0.1',
    dataDir: path.resolve(env.DATA_DIR || path.join(REPO_ROOT, '.data')),
    mqttUrl: mqttUrl || `mqtt://127.0.0.1:${embeddedPort}`,
    embeddedBroker: !mqttUrl,
    embeddedPort,
    embeddedWsPort: int('MQTT_EMBEDDED_WS_PORT', env.MQTT_EMBEDDED_WS_PORT, 9001, 0, 65535),
    simulateDevices: int('SIMULATE_DEVICES', env.SIMULATE_DEVICES, mqttUrl ? 0 : 5, 0, 100),
    production: (env.NODE_ENV || '').trim().toLowerCase() === 'production',
    credentialSecret: env.NODE_RED_CREDENTIAL_SECRET || undefined,
    adminUser: env.ADMIN_USER || 'admin',
    adminPasswordHash: env.ADMIN_PASSWORD_HASH || undefined,
    tlsCertFile: env.TLS_CERT_FILE || undefined,
    tlsKeyFile: env.TLS_KEY_FILE || undefined,
    logLevel: env.LOG_LEVEL || 'info',
    maxMessageDepth: int('MAX_MESSAGE_DEPTH', env.MAX_MESSAGE_DEPTH, 64, 8, 1000),
    logFormat,
    systemHealthIntervalS: int('SYSTEM_HEALTH_INTERVAL_S', env.SYSTEM_HEALTH_INTERVAL_S, 30, 0, 86_400),
    systemHealthTopic: topicName(env.SYSTEM_HEALTH_TOPIC || 'lifecompanion/system/health'),
    activeDeviceWindowS: int('ACTIVE_DEVICE_WINDOW_S', env.ACTIVE_DEVICE_WINDOW_S, 300, 1, 30 * 86_400),
    shareGroup,
    redisUrl,
  };
}

/** The broker URL with user and password, for the flows' broker node. */
export function withAuth(url: string, username?: string, password?: string): string {
  if (!username) return url;
  const u = new URL(url);
  u.username = encodeURIComponent(username);
  u.password = encodeURIComponent(password || '');
  return u.toString().replace(/\/$/, '');
}
