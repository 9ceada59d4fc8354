/**
 * Settings of the sensor-input node: one typed object, its defaults, and the
 * parser that validates what the editor or a flow file saved.
 */
import { hasControlChar } from '../common/control-chars';
import { envRefName, lookupEnvRef, type EnvLookup } from '../common/env';
import { fieldParsers } from '../common/config-parse';
import { ValidationError } from '../common/errors';
import { compileTopic, filterError } from '../common/topic';
import { EVENT_KINDS, EVENT_TYPES, type EventType } from './event-shape';
import { DEFAULT_SYSFS_ROOT } from './gpio-chip';
import type { Edge } from './gpio-input';
import { PROFILE_NAMES, type ProfileName } from './sim/profiles';

export const CONFIG_VERSION = 2;

/** How MQTT mode passes payloads on (see decodePayload in mqtt-input.ts). */
export type Datatype = 'auto-detect' | 'utf8' | 'buffer';

export interface SensorInputConfig {
  /** Version of the saved settings; older ones are upgraded by parseConfig. */
  configVersion: number;
  /** `simulate`: a fleet of simulated devices; `gpio`: a digital input through onoff; `mqtt`: an MQTT subscription. */
  mode: 'simulate' | 'gpio' | 'mqtt';
  /** Simulated device kind, or every kind. */
  profile: ProfileName | 'all';
  /** Devices per profile, 0 (off) to 100. */
  devices: number;
  /** Seconds between readings of periodic devices. */
  interval: number;
  /** Mean seconds between events of event devices (PIR, buttons). */
  eventMean: number;
  /** Prepended to every simulated device id. */
  idPrefix: string;
  /** Seed of the random source; undefined for a different fleet each start. */
  seed?: number;
  /** Fault probabilities per message, 0-1. */
  dropout: number;
  spike: number;
  malformed: number;
  /** Start simulating or watching on deploy (otherwise on a "start" message). */
  autoStart: boolean;
  /** BCM pin number of the input (GPIO17 is header pin 11). */
  pin: number;
  /** Which debounced changes emit an event. */
  edge: Edge;
  /** Milliseconds the level must be stable before it counts. */
  debounce: number;
  /** Input reads low when active (pull-up, switch to ground). */
  activeLow: boolean;
  /** Event type of the seed's document. */
  eventType: EventType;
  /** `device_id` of the events and `{deviceId}` of the topic. */
  deviceId: string;
  /** `source` of the events (PIR, BUTTON, PRESSURE_MAT by default). */
  source: string;
  /** Topic or template with {deviceId} and {sensorType}; the seed's topic for the type when empty. */
  topic: string;
  /** Folder holding gpiochip* entries; tests point it elsewhere. */
  sysfsRoot: string;
  /** MQTT mode: id of the `mqtt-broker` config node to connect with. */
  broker: string;
  /** MQTT mode: topic filters to subscribe to (the editor takes one per line). */
  topics: string[];
  /** MQTT mode: subscription QoS. */
  qos: 0 | 1 | 2;
  /** MQTT mode: how payloads reach the flow (see decodePayload). */
  datatype: Datatype;
  /** MQTT mode: keep the session (subscriptions and QoS 1/2 messages) in the broker while the flow is down. */
  persistent: boolean;
  /**
   * MQTT mode: when a QoS 1 message is acknowledged to the broker. `durable`:
   * once the flow is done with it and every writer that took it has written
   * or fsynced it (see common/ack-ledger.ts); `received`: as soon as it is
   * handed to the flow (faster, but a crash loses what the flow held).
   */
  ack: 'durable' | 'received';
  /**
   * MQTT mode: shared subscription group (scale-out). Set, every filter is
   * subscribed as `$share/<group>/<filter>`, so the broker hands each message
   * to one of the instances in the group. Empty (the default): plain filters.
   * Flow files carry `${MQTT_SHARE_GROUP}`; unset, it resolves to empty.
   */
  shareGroup: string;
  /**
   * MQTT mode: follow Home Assistant discovery. An announcement the node receives
   * (`homeassistant/.../config`) makes it subscribe to the announced state and
   * availability topics its filters do not cover (see discovery-subscriptions.ts).
   */
  followDiscovery: boolean;
  /** MQTT mode: most announcements followed and most announced topics subscribed. */
  discoveryTopicsMax: number;
}

export const DEFAULTS: SensorInputConfig = {
  configVersion: CONFIG_VERSION,
  mode: 'simulate',
  profile: 'all',
  devices: 1,
  interval: 5,
  eventMean: 30,
  idPrefix: '',
  seed: undefined,
  dropout: 0,
  spike: 0,
  malformed: 0,
  autoStart: true,
  pin: 17,
  edge: 'rising',
  debounce: 50,
  activeLow: false,
  eventType: 'MOTION_DETECTED',
  deviceId: 'raspberry-1',
  source: '',
  topic: '',
  sysfsRoot: DEFAULT_SYSFS_ROOT,
  broker: '',
  topics: ['sensors/#'],
  qos: 1,
  datatype: 'auto-detect',
  persistent: true,
  ack: 'durable',
  shareGroup: '',
  followDiscovery: false,
  discoveryTopicsMax: 1000,
};

/**
 * DEFAULTS as the dialog holds them (exported to the editor): the device count
 * and QoS as the strings of their inputs, the topic filters one a line, no seed.
 */
export const EDITOR_DEFAULTS = {
  ...DEFAULTS,
  devices: String(DEFAULTS.devices),
  devicesType: 'num',
  seed: '',
  topics: DEFAULTS.topics.join('\n'),
  qos: String(DEFAULTS.qos),
};

type Raw = Record<string, unknown>;
export type { EnvLookup };

const { num, int, bool, oneOf } = fieldParsers(DEFAULTS);

/**
 * Device count from a typed value: a number, `${VAR}` that the runtime did not
 * replace, or (type `env`) a variable name. Unset or empty variables mean 0 (off).
 */
export function resolveDevices(value: unknown, type: unknown, env: EnvLookup): { value: unknown; from?: string } {
  if (type === 'env') return { value: env(String(value)) ?? '', from: String(value) };
  const ref = envRefName(value);
  if (ref) return { value: env(ref) ?? '', from: ref };
  return { value };
}

/**
 * Brings settings saved by an older version to the current shape. Version 1 is
 * the first; unversioned settings only get the missing fields' defaults.
 * Version 2 added `ack` (durable by default) and made new nodes' sessions
 * persistent: a saved `persistent` keeps its value, one never saved stays off
 * as it was.
 */
export function upgrade(def: Raw): Raw {
  const version = Number(def.configVersion) || 1;
  const out: Raw = { ...def, configVersion: CONFIG_VERSION };
  if (version < 2 && out.persistent === undefined) out.persistent = false;
  return out;
}

/** Validates and converts a node definition; throws ValidationError naming the field. */
export function parseConfig(input: Raw, env: EnvLookup = (n) => process.env[n]): SensorInputConfig {
  const def = upgrade(input);
  const devicesRaw = resolveDevices(def.devices, def.devicesType, env);
  const devices = devicesRaw.value === '' ? 0 : int({ devices: devicesRaw.value }, 'devices', 0, 100);
  const seedRaw = def.seed;
  const seed = seedRaw === undefined || seedRaw === '' || seedRaw === null ? undefined : Number(seedRaw);
  if (seed !== undefined && (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)) {
    throw new ValidationError(`seed must be empty or a whole number from 0 to 4294967295, got "${String(seedRaw)}"`, 'seed');
  }
  const cfg: SensorInputConfig = {
    configVersion: CONFIG_VERSION,
    mode: oneOf(def, 'mode', ['simulate', 'gpio', 'mqtt'] as const),
    profile: oneOf(def, 'profile', ['all', ...PROFILE_NAMES]),
    devices,
    interval: num(def, 'interval', 0.05, 86_400),
    eventMean: num(def, 'eventMean', 0.1, 86_400),
    idPrefix: String(def.idPrefix ?? ''),
    seed,
    dropout: num(def, 'dropout', 0, 1),
    spike: num(def, 'spike', 0, 1),
    malformed: num(def, 'malformed', 0, 1),
    autoStart: bool(def, 'autoStart'),
    pin: int(def, 'pin', 0, 57),
    edge: oneOf(def, 'edge', ['rising', 'falling', 'both'] as const),
    debounce: int(def, 'debounce', 0, 10_000),
    activeLow: bool(def, 'activeLow'),
    eventType: oneOf(def, 'eventType', EVENT_TYPES),
    deviceId: lookupEnvRef(def.deviceId, env) || DEFAULTS.deviceId,
    source: String(def.source ?? '').trim(),
    topic: String(def.topic ?? '').trim(),
    sysfsRoot: String(def.sysfsRoot ?? '').trim() || DEFAULT_SYSFS_ROOT,
    broker: String(def.broker ?? ''),
    topics: parseTopics(def.topics),
    qos: int(def, 'qos', 0, 2) as 0 | 1 | 2,
    datatype: oneOf(def, 'datatype', ['auto-detect', 'utf8', 'buffer'] as const),
    persistent: bool(def, 'persistent'),
    ack: oneOf(def, 'ack', ['durable', 'received'] as const),
    shareGroup: parseShareGroup(lookupEnvRef(def.shareGroup, env)),
    followDiscovery: bool(def, 'followDiscovery'),
    discoveryTopicsMax: int(def, 'discoveryTopicsMax', 0, 100_000),
  };
  if (/[/+#]/.test(cfg.deviceId)) throw new ValidationError(`deviceId must not hold / + or #, got "${cfg.deviceId}"`, 'deviceId');
  if (/[/+#]/.test(cfg.idPrefix)) throw new ValidationError(`idPrefix must not hold / + or #, got "${cfg.idPrefix}"`, 'idPrefix');
  if (cfg.mode === 'gpio') gpioTopic(cfg); // throws on a bad template
  if (cfg.mode === 'mqtt' && !cfg.broker) throw new ValidationError('MQTT mode needs a broker (an mqtt-broker config node)', 'broker');
  return cfg;
}

/** Topic filters from text (one per line, or comma-separated) or an array; throws on an invalid filter. */
export function parseTopics(raw: unknown): string[] {
  if (raw === undefined || raw === '') return [...DEFAULTS.topics];
  const list = (Array.isArray(raw) ? raw.map(String) : String(raw).split(/[\n,]/)).map((t) => t.trim()).filter(Boolean);
  if (!list.length) throw new ValidationError('topics must name at least one topic filter', 'topics');
  for (const t of list) {
    const err = filterError(t);
    if (err) throw new ValidationError(`topics: ${err}`, 'topics');
  }
  return [...new Set(list)];
}

/** A share group name: not empty-checked here (empty means off), but never a topic level separator or wildcard. */
export function parseShareGroup(group: string): string {
  if (/[/+#]/.test(group) || hasControlChar(group) || group.length > 128) {
    throw new ValidationError(`share group must be a plain name without / + or # (at most 128 characters), got "${group}"`, 'shareGroup');
  }
  return group;
}

/** The filters as subscribed: `$share/<group>/<filter>` with a share group, else as written. */
export function subscriptionFilters(cfg: Pick<SensorInputConfig, 'topics' | 'shareGroup'>): string[] {
  return cfg.shareGroup ? cfg.topics.map((t) => `$share/${cfg.shareGroup}/${t}`) : [...cfg.topics];
}

/** Profiles the fleet runs. */
export function selectedProfiles(cfg: SensorInputConfig): ProfileName[] {
  return cfg.profile === 'all' ? [...PROFILE_NAMES] : [cfg.profile];
}

/** The topic GPIO events go to. */
export function gpioTopic(cfg: SensorInputConfig): string {
  const kind = EVENT_KINDS[cfg.eventType];
  if (!cfg.topic) return kind.topic;
  if (/(^|\/)[+#](\/|$)/.test(cfg.topic)) throw new ValidationError(`topic "${cfg.topic}" must not hold + or # wildcards`, 'topic');
  try {
    return compileTopic(cfg.topic).render({ deviceId: cfg.deviceId, sensorType: kind.sensorType });
  } catch (err) {
    throw new ValidationError(`topic "${cfg.topic}" cannot be used: ${(err as Error).message}`, 'topic');
  }
}
