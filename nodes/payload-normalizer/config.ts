/**
 * Configuration of the payload-normalizer node: the flow-file form (NormalizerConfig,
 * DEFAULTS) and parseConfig(), which validates it and compiles templates, ranges and
 * maps once into NormalizerOptions.
 */
import { fieldParsers } from '../common/config-parse';
import { ValidationError } from '../common/errors';
import { compileTopic, type TopicTemplate } from '../common/topic';
import { DECODER_NAMES } from './decoders';
import { TOPIC_DECODERS, type TopicDecoder } from './decoders/index';
import { parseUserDecoders } from './decoders/user';
import { snakeName } from './draft';
import { parseTagKeys, type SeriesBoundsOptions } from './series-bounds';
import { isValidZone } from './timestamps';
import { DEFAULT_RANGES, type Range } from './units';

/** The node's properties as saved in a flow file. */
export interface NormalizerConfig {
  /** Version of this shape; parseConfig upgrades older ones. */
  configVersion: number;
  /**
   * `auto` (firmware decoders by topic, then payload shapes per message), a payload decoder (number,
   * reading, metrics-array, event, esp32, flat: no firmware decoders), or one firmware decoder (zigbee2mqtt, tasmota...).
   */
  decoder: string;
  /**
   * JSON array of declarative decoders (decoders/user.ts, docs/decoders.md): `{name, topic, device?,
   * metrics?, units?, time?, sensorType?, kind?}`; tried before the built-in firmware decoders.
   */
  decoders: string;
  /** Extra topic templates, one per line: `template [deviceId=x] [sensorType=y]`; tried before the built-ins. */
  templates: string;
  /** Also try the built-in templates (all seed topic layouts) after the extra ones. */
  builtinTemplates: boolean;
  /** IANA zone for ISO timestamps without a zone (`2025-01-15T14:30:45.123456`). */
  timezone: string;
  /** Convert °F and K to °C. */
  toCelsius: boolean;
  /** Convert Pa and kPa (and unit-less pressures above 2000) to hPa. */
  toHectopascal: boolean;
  /** JSON object metric -> [min, max] (or null to drop a default range); merged over the defaults. */
  ranges: string;
  /** What an out-of-range metric does: reject the message, or drop just that metric. */
  outOfRange: 'reject' | 'drop';
  /** JSON object device event type -> event type, e.g. {"PRESSURE_DETECTED":"button_pressed"}; merged over the default. */
  eventTypes: string;
  /** Seconds an event id is remembered to drop duplicates; 0 turns de-duplication off. */
  dedupeWindow: number;
  /** Most event ids remembered at once (oldest forgotten first). */
  dedupeMax: number;
  /** Messages per second per device before dropping; 0 turns the limit off. */
  rateLimit: number;
  /** Largest payload accepted, in bytes (characters for strings). */
  maxBytes: number;
  /** Deepest object nesting accepted. */
  maxDepth: number;
  /** Most keys (all levels, array items included) accepted in one payload. */
  maxKeys: number;
  /** Also report each reject with done(err), so Catch nodes see it (it still goes to output 2). */
  catchRejects: boolean;
  /** String fields that become tags (snake_case names, comma separated); `*`: every string field; others are left out. */
  tagKeys: string;
  /** Distinct values per device and tag key; later new values become `other` (counted). */
  maxTagValues: number;
  /** Distinct sensor types (InfluxDB measurements); later new ones become `other` (counted). */
  maxMeasurements: number;
  /** Home Assistant discovery announcements remembered at once (later ones are counted, not learned); 0 turns discovery off. */
  discoveryMax: number;
  /** Output 3 (when wired): one message with the Readings of this many milliseconds (`payload` = Reading[]); 0 turns it off. */
  batchMs: number;
  /** Output 3: most Readings in one batch message (a full batch goes out at once); output 1's batches too. */
  batchMax: number;
  /**
   * Output 1 in batches: one message with the Readings of this many milliseconds
   * (`payload` = Reading[]), carrying the durable acknowledgement of their source
   * messages (acked-batches.ts); 0, the default: one message per Reading.
   */
  readingsBatchMs: number;
}

/** 2: tagKeys, maxTagValues, maxMeasurements (version 1 made every string field a tag, unbounded). */
export const CONFIG_VERSION = 2;

/** The seeds' meaningful string fields (Pi motion location, event source, accelerometer activity hint, mat pressure, health status) and common place names. */
export const DEFAULT_TAG_KEYS = 'location, room, zone, site, source, activity_hint, pressure, status, type';

export const DEFAULTS: Readonly<NormalizerConfig> = {
  configVersion: CONFIG_VERSION,
  decoder: 'auto',
  decoders: '',
  templates: '',
  builtinTemplates: true,
  timezone: 'UTC',
  toCelsius: true,
  toHectopascal: true,
  ranges: '{}',
  outOfRange: 'reject',
  eventTypes: '{}',
  dedupeWindow: 60,
  dedupeMax: 10000,
  rateLimit: 0,
  maxBytes: 65536,
  maxDepth: 8,
  maxKeys: 1000,
  catchRejects: true,
  tagKeys: DEFAULT_TAG_KEYS,
  maxTagValues: 20,
  maxMeasurements: 100,
  discoveryMax: 1000,
  batchMs: 250,
  batchMax: 1000,
  readingsBatchMs: 0,
};

/** Built-in topic templates, tried in this order: every topic layout of the seeds. Firmwares (Zigbee2MQTT, Tasmota...) have decoders in decoders/. */
export const BUILTIN_TEMPLATES = [
  'lifecompanion/sensors/{deviceId}/{sensorType}',
  'sensors/esp32/{deviceId}/data sensorType=esp32',
  'sensor/{sensorType}',
  'sensors/{deviceId}/{sensorType}',
  'devices/{deviceId}/telemetry sensorType=telemetry',
];

/** Device event types whose snake_case form is not what the system uses (from the surveillance seed). */
export const DEFAULT_EVENT_TYPES: Readonly<Record<string, string>> = { PRESSURE_DETECTED: 'button_pressed' };

/** One compiled topic template. */
export interface TemplateSpec {
  source: string;
  topic: TopicTemplate;
  /** Literal text every matching topic starts with (cheap pre-check). */
  prefix: string;
  /** Used when neither the topic nor the payload gives the value. */
  defaults: { deviceId?: string; sensorType?: string };
  /** Label for iot_messages_received_total: the template's first literal level. */
  family: string;
  /**
   * The levels up to `{deviceId}` as a prefix (`^sensors/([^/]+)/`): a deeper topic under a
   * device's own levels (`sensors/dev-1/x/y`, which a `sensors/%u/#` ACL lets dev-1 write)
   * still belongs to that device.
   */
  deviceAt: RegExp | null;
}

/** Validated, compiled options the normalizer runs with. */
export interface NormalizerOptions {
  decoder: string;
  /** The dialog's decoders, compiled: tried after the templates, before the built-in firmware decoders. */
  userDecoders: TopicDecoder[];
  templates: TemplateSpec[];
  timezone: string;
  conversions: { toCelsius: boolean; toHectopascal: boolean };
  /** Merged ranges; a name mapped to null has no range. */
  ranges: Map<string, Range | null>;
  outOfRange: 'reject' | 'drop';
  eventTypes: Map<string, string>;
  dedupeWindowMs: number;
  dedupeMax: number;
  rateLimit: number;
  limits: { maxBytes: number; maxDepth: number; maxKeys: number };
  catchRejects: boolean;
  series: SeriesBoundsOptions;
  /** Home Assistant discovery announcements remembered; 0: discovery off. */
  discoveryMax: number;
  /** Output 3's batches; intervalMs 0: none. */
  batches: { intervalMs: number; max: number };
  /** Output 1's batches; intervalMs 0: one message per Reading. */
  readingBatches: { intervalMs: number; max: number };
}

const { num, bool } = fieldParsers(DEFAULTS);

function jsonObject(def: Record<string, unknown>, key: keyof NormalizerConfig): Record<string, unknown> {
  const raw = def[key];
  if (raw === undefined || raw === null || raw === '') return {};
  let v: unknown = raw;
  if (typeof raw === 'string') {
    try {
      v = JSON.parse(raw);
    } catch (err) {
      throw new ValidationError(`${key} is not valid JSON: ${(err as Error).message}`, key);
    }
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ValidationError(`${key} must be a JSON object`, key);
  return v as Record<string, unknown>;
}

/** Compiles one template line: `template [deviceId=x] [sensorType=y]`. */
export function parseTemplateLine(line: string): TemplateSpec {
  const [source, ...opts] = line.trim().split(/\s+/);
  let topic: TopicTemplate;
  try {
    topic = compileTopic(source);
  } catch (err) {
    throw new ValidationError(`templates: ${(err as Error).message}`, 'templates');
  }
  const defaults: TemplateSpec['defaults'] = {};
  for (const opt of opts) {
    const m = /^(deviceId|sensorType)=(.+)$/.exec(opt);
    if (!m) throw new ValidationError(`templates: "${opt}" in "${line.trim()}" is not deviceId=... or sensorType=...`, 'templates');
    defaults[m[1] as 'deviceId' | 'sensorType'] = m[2];
  }
  const levels = source.split('/');
  let prefix = '';
  for (const level of levels) {
    if (/[{}+#]/.test(level)) break;
    prefix += `${level}/`;
  }
  // Only a pre-filter (the regular expression decides), so `a/#` keeps matching `a`.
  prefix = prefix.replace(/\/$/, '');
  const first = levels[0];
  const family = /[{}+#]/.test(first) || first === '' ? 'other' : first;
  const at = levels.indexOf('{deviceId}');
  const deviceAt =
    at >= 0 && at < levels.length - 1
      ? new RegExp(
          `^${levels
            .slice(0, at + 1)
            .map((l, i) => (i === at ? '([^/]+)' : /^(?:\{.*\}|\+)$/.test(l) ? '[^/]+' : l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
            .join('/')}/`,
        )
      : null;
  return { source, topic, prefix, defaults, family, deviceAt };
}

/**
 * Upgrades an older saved config to the current shape: what it set is kept, what
 * it lacks takes today's default (version 0: before configVersion existed;
 * version 1: before the series bounds, so it gets the default tag allow-list).
 */
export function upgrade(def: Record<string, unknown>): Record<string, unknown> {
  const version = Number(def.configVersion ?? 0);
  if (version >= CONFIG_VERSION) return def;
  return { ...DEFAULTS, ...def, configVersion: CONFIG_VERSION };
}

/** Validates a node definition; throws ValidationError naming the field. */
export function parseConfig(input: Record<string, unknown>): NormalizerOptions {
  const def = upgrade(input);
  const decoder = typeof def.decoder === 'string' && def.decoder !== '' ? def.decoder : DEFAULTS.decoder;
  const builtin = [...DECODER_NAMES, ...TOPIC_DECODERS.map((x) => x.name), 'auto'];
  const userDecoders = parseUserDecoders(def.decoders, builtin);
  const names = [...DECODER_NAMES, ...TOPIC_DECODERS.map((x) => x.name), ...userDecoders.map((x) => x.name)];
  if (decoder !== 'auto' && !names.includes(decoder)) {
    throw new ValidationError(`decoder must be auto or one of ${names.join(', ')}, got "${decoder}"`, 'decoder');
  }
  const lines = typeof def.templates === 'string' ? def.templates.split(/\r?\n/).filter((l) => l.trim() !== '') : [];
  if (bool(def, 'builtinTemplates')) lines.push(...BUILTIN_TEMPLATES);
  const templates = lines.map(parseTemplateLine);

  const timezone = typeof def.timezone === 'string' && def.timezone.trim() !== '' ? def.timezone.trim() : 'UTC';
  if (!isValidZone(timezone)) throw new ValidationError(`timezone "${timezone}" is not a known IANA zone (e.g. UTC, Europe/Paris)`, 'timezone');

  const ranges = new Map<string, Range | null>(Object.entries(DEFAULT_RANGES));
  for (const [name, r] of Object.entries(jsonObject(def, 'ranges'))) {
    if (r === null) ranges.set(name, null);
    else if (Array.isArray(r) && r.length === 2 && r.every((x) => typeof x === 'number' && Number.isFinite(x)) && r[0] <= r[1]) ranges.set(name, [r[0], r[1]]);
    else throw new ValidationError(`ranges: "${name}" must be [min, max] with min <= max, or null`, 'ranges');
  }
  const eventTypes = new Map<string, string>(Object.entries(DEFAULT_EVENT_TYPES));
  for (const [raw, type] of Object.entries(jsonObject(def, 'eventTypes'))) {
    if (typeof type !== 'string' || !/^[a-z][a-z0-9_]*$/.test(type))
      throw new ValidationError(`eventTypes: "${raw}" must map to a snake_case type`, 'eventTypes');
    eventTypes.set(raw, type);
  }
  const outOfRange =
    def.outOfRange === 'drop' ? 'drop' : def.outOfRange === undefined || def.outOfRange === '' || def.outOfRange === 'reject' ? 'reject' : null;
  if (outOfRange === null) throw new ValidationError(`outOfRange must be reject or drop, got "${String(def.outOfRange)}"`, 'outOfRange');
  const tagKeys = typeof def.tagKeys === 'string' ? def.tagKeys : DEFAULTS.tagKeys;
  const badKey = tagKeys.split(/[\s,]+/).find((k) => k !== '' && k !== '*' && !/^[A-Za-z0-9_-]{1,64}$/.test(k));
  if (badKey !== undefined) throw new ValidationError(`tagKeys: "${badKey.slice(0, 70)}" is not a field name (letters, digits, _ and -), nor *`, 'tagKeys');

  return {
    decoder,
    userDecoders,
    templates,
    timezone,
    conversions: { toCelsius: bool(def, 'toCelsius'), toHectopascal: bool(def, 'toHectopascal') },
    ranges,
    outOfRange,
    eventTypes,
    dedupeWindowMs: num(def, 'dedupeWindow', 0, 86400) * 1000,
    dedupeMax: num(def, 'dedupeMax', 1, 1e6),
    rateLimit: num(def, 'rateLimit', 0, 1e6),
    limits: { maxBytes: num(def, 'maxBytes', 16, 16 * 1024 * 1024), maxDepth: num(def, 'maxDepth', 1, 64), maxKeys: num(def, 'maxKeys', 1, 1e6) },
    catchRejects: bool(def, 'catchRejects'),
    series: {
      tagKeys: parseTagKeys(tagKeys, snakeName),
      maxTagValues: num(def, 'maxTagValues', 1, 1e6),
      maxMeasurements: num(def, 'maxMeasurements', 1, 1e6),
    },
    discoveryMax: num(def, 'discoveryMax', 0, 1e6),
    batches: { intervalMs: num(def, 'batchMs', 0, 60_000), max: num(def, 'batchMax', 1, 100_000) },
    readingBatches: { intervalMs: num(def, 'readingsBatchMs', 0, 10_000), max: num(def, 'batchMax', 1, 100_000) },
  };
}
