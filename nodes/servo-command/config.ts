/**
 * servo-command settings: typed, validated, upgraded from older versions.
 */
import { fieldParsers } from '../common/config-parse';
import { envRefName } from '../common/env';
import { ValidationError } from '../common/errors';
import { compileTopic } from '../common/topic';

export interface ServoConfig {
  /** Settings version; parseConfig upgrades older ones. */
  configVersion: number;
  /** 'server' emits commands and follows acks; 'device' drives the servo over PWM sysfs and publishes acks. */
  mode: 'server' | 'device';
  /** Fixed device id; empty: msg.deviceId / payload.deviceId (server) or the topic's {deviceId} (device). */
  deviceId: string;
  /** Command topic template; must hold {deviceId}. */
  topic: string;
  /** Acknowledgement topic template; must hold {deviceId}. */
  ackTopic: string;
  /** Minimum milliseconds between two commands to the same device (0: no limit). */
  rateLimitMs: number;
  /** Seconds a command may wait for `executed` before it expires. */
  ttlSec: number;
  /** Angles that left / center / right stand for. */
  leftAngle: number;
  centerAngle: number;
  rightAngle: number;
  /** Mechanical limits: angles are clamped into [minAngle, maxAngle]. */
  minAngle: number;
  maxAngle: number;
  /** Device mode: sysfs PWM root, chip and channel. */
  pwmRoot: string;
  pwmChip: number;
  pwmChannel: number;
  /** PWM period in nanoseconds (20 ms for hobby servos). */
  periodNs: number;
  /** Calibrated pulse widths for 0° and 180°, in microseconds. */
  minPulseUs: number;
  maxPulseUs: number;
  /** Milliseconds to rest at each end of a sweep. */
  sweepDwellMs: number;
}

export const CONFIG_VERSION = 1;

export const DEFAULTS: ServoConfig = {
  configVersion: CONFIG_VERSION,
  mode: 'server',
  deviceId: '',
  topic: 'commands/{deviceId}/servo',
  ackTopic: 'commands/{deviceId}/servo/ack',
  rateLimitMs: 500,
  ttlSec: 10,
  leftAngle: 180,
  centerAngle: 90,
  rightAngle: 0,
  minAngle: 0,
  maxAngle: 180,
  pwmRoot: '/sys/class/pwm',
  pwmChip: 0,
  pwmChannel: 0,
  periodNs: 20_000_000,
  minPulseUs: 500,
  maxPulseUs: 2500,
  sweepDwellMs: 400,
};

export const DEVICE_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

const { num, int } = fieldParsers(DEFAULTS);

function template(def: Record<string, unknown>, field: 'topic' | 'ackTopic'): string {
  const t = def[field] ? String(def[field]) : DEFAULTS[field];
  try {
    compileTopic(t);
  } catch (err) {
    throw new ValidationError(`${field}: ${(err as Error).message}`, field);
  }
  if (!t.includes('{deviceId}')) throw new ValidationError(`${field} must contain {deviceId}, got "${t}"`, field);
  return t;
}

/** Validates and converts a node definition; an unresolved `${VAR}` device id is read from `env` (unset: empty). */
export function parseConfig(input: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): ServoConfig {
  const ref = envRefName(input.deviceId);
  const def: Record<string, unknown> = ref ? { ...input, deviceId: env[ref] ?? '' } : input;
  const mode = def.mode === undefined || def.mode === '' ? 'server' : String(def.mode);
  if (mode !== 'server' && mode !== 'device') throw new ValidationError(`mode must be server or device, got "${mode}"`, 'mode');
  const deviceId = def.deviceId ? String(def.deviceId).trim() : '';
  if (deviceId && !DEVICE_ID_RE.test(deviceId)) {
    throw new ValidationError(`deviceId must be letters, digits, _ . : - (no / + #), got "${deviceId}"`, 'deviceId');
  }
  const pwmRoot = def.pwmRoot ? String(def.pwmRoot) : DEFAULTS.pwmRoot;
  if (!pwmRoot.startsWith('/')) throw new ValidationError(`pwmRoot must be an absolute path, got "${pwmRoot}"`, 'pwmRoot');
  const cfg: ServoConfig = {
    configVersion: CONFIG_VERSION,
    mode,
    deviceId,
    topic: template(def, 'topic'),
    ackTopic: template(def, 'ackTopic'),
    rateLimitMs: num(def, 'rateLimitMs', 0, 600_000),
    ttlSec: num(def, 'ttlSec', 1, 3600),
    leftAngle: num(def, 'leftAngle', 0, 180),
    centerAngle: num(def, 'centerAngle', 0, 180),
    rightAngle: num(def, 'rightAngle', 0, 180),
    minAngle: num(def, 'minAngle', 0, 180),
    maxAngle: num(def, 'maxAngle', 0, 180),
    pwmRoot,
    pwmChip: int(def, 'pwmChip', 0, 64),
    pwmChannel: int(def, 'pwmChannel', 0, 64),
    periodNs: int(def, 'periodNs', 1_000_000, 100_000_000),
    minPulseUs: num(def, 'minPulseUs', 100, 5000),
    maxPulseUs: num(def, 'maxPulseUs', 100, 5000),
    sweepDwellMs: num(def, 'sweepDwellMs', 0, 10_000),
  };
  if (cfg.minAngle >= cfg.maxAngle) throw new ValidationError(`minAngle (${cfg.minAngle}) must be below maxAngle (${cfg.maxAngle})`, 'minAngle');
  if (cfg.minPulseUs >= cfg.maxPulseUs) throw new ValidationError(`minPulseUs (${cfg.minPulseUs}) must be below maxPulseUs (${cfg.maxPulseUs})`, 'minPulseUs');
  if (cfg.maxPulseUs * 1000 >= cfg.periodNs)
    throw new ValidationError(`maxPulseUs (${cfg.maxPulseUs} us) must be shorter than the period (${cfg.periodNs} ns)`, 'maxPulseUs');
  return cfg;
}
