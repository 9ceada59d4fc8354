/**
 * The normalizer: topic + payload -> Reading, or a reject with a reason code.
 * Pure (no Node-RED import); one instance per node, compiled once from its options.
 */
import { hasControlChar } from '../common/control-chars';
import { ValidationError } from '../common/errors';
import type { Reading, ReadingEvent } from '../common/types';
import type { NormalizerOptions } from './config';
import { DECODERS, decoderByName, type DecodeContext, type Decoder } from './decoders';
import { TOPIC_DECODERS, topicDecoderByName, type TopicDecoder } from './decoders/index';
import { DiscoveryDecoder, HA_DISCOVERY } from './decoders/ha-discovery';
import { AVAILABILITY, availability } from './decoders/common';
import { Draft, idValue, snakeName, type RejectCode } from './draft';
import { DuplicateFilter } from './guards';
import { TokenBucket } from './token-bucket';
import { parsePayload } from './payload';
import { SeriesBounds } from './series-bounds';
import { TopicMatcher, type TopicMatch } from './topic-match';
import { TimestampParser, UPTIME_LIMIT } from './timestamps';
import { baseName, canonicalUnit, convert, DEFAULT_UNITS, type Range } from './units';

/** The error a reject reports to Catch nodes; `code` is the reject reason. */
export class NormalizeError extends ValidationError {
  override name = 'NormalizeError';
  constructor(
    readonly code: RejectCode,
    message: string,
  ) {
    super(`${code}: ${message}`, 'payload');
  }
}

export type Outcome =
  | { kind: 'reading'; reading: Reading; decoder: string; family: string }
  | { kind: 'reject'; code: RejectCode; message: string; family: string }
  | { kind: 'duplicate'; eventId: string; family: string }
  | { kind: 'rate-limited'; deviceId: string; family: string }
  /** A topic a firmware decoder owns that carries no reading (a command echo, bridge chatter): dropped and counted. */
  | { kind: 'ignored'; reason: string; family: string };

interface MetricInfo {
  unit: string | undefined;
  range: Range | null;
}

/** MQTT 5 user properties as Node-RED's mqtt in and our sensor-input give them (a repeated key: an array). */
export type UserProperties = Record<string, string | string[]>;

const prop = (p: UserProperties, key: string): string | undefined => {
  const v = Object.prototype.hasOwnProperty.call(p, key) ? p[key] : undefined;
  return Array.isArray(v) ? v[0] : typeof v === 'string' ? v : undefined;
};

/** The decoder of a message whose user property `availability` says online / offline. */
const PROPS_AVAILABILITY: TopicDecoder = {
  name: 'mqtt5-availability',
  topics: [],
  route: () => null,
  decode: (_v, r, d) => availability(d, r.extra),
};

/** Families whose topics an announced Home Assistant discovery topic takes over (no specific firmware decoder routes them). */
const YIELDS_TO_DISCOVERY: ReadonlySet<string> = new Set(['other', 'homeassistant', 'generic']);

/** Sensor types whose object payloads are events even without an event id (Raspberry Pi seed). */
const EVENT_SENSOR_TYPES: Readonly<Record<string, string>> = { motion: 'motion_detected', button: 'button_pressed' };
/** Event type -> the 0/1 metric it sets. Other types drop a `_detected`/`_pressed`/`_triggered` suffix. */
const EVENT_METRICS: Readonly<Record<string, string>> = { motion_detected: 'motion', button_pressed: 'button' };

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** Name of the 0/1 metric an event type sets (`motion_detected` -> `motion`). */
export function eventMetric(type: string): string {
  return hasOwn(EVENT_METRICS, type) ? EVENT_METRICS[type] : type.replace(/_(?:detected|pressed|triggered)$/, '') || type;
}

/** 0 for an event whose data.state says off (LOW, 0, false, off), else 1. */
export function eventValue(ev: ReadingEvent): number {
  const s = ev.data?.state;
  if (s === 0 || s === false) return 0;
  if (typeof s === 'string') {
    const l = s.toLowerCase();
    if (l === 'low' || l === 'off' || l === '0' || l === 'false') return 0;
  }
  return 1;
}

export class Normalizer {
  private readonly matcher: TopicMatcher;
  private readonly infos = new Map<string, MetricInfo>();
  private readonly draft: Draft;
  private readonly time: TimestampParser;
  private readonly pinned: Decoder | undefined;
  /** Firmware decoders this node tries: the pinned one, else all (with a pinned payload decoder they only route). */
  private readonly topicDecoders: readonly TopicDecoder[];
  private readonly ctx: DecodeContext;
  readonly dedupe: DuplicateFilter;
  readonly limiter: TokenBucket;
  readonly bounds: SeriesBounds;
  /** What Home Assistant discovery announcements taught this node (auto mode, discoveryMax > 0). */
  readonly discovery: DiscoveryDecoder | undefined;
  private seq = 0;
  private readonly idPrefix = `gen-${Math.random().toString(36).slice(2, 6)}`;

  constructor(readonly options: NormalizerOptions) {
    this.draft = new Draft(options.limits);
    this.time = new TimestampParser(options.timezone);
    this.pinned = options.decoder === 'auto' ? undefined : decoderByName(options.decoder);
    const user = options.userDecoders ?? [];
    const pinnedTopic = user.find((x) => x.name === options.decoder) ?? topicDecoderByName(options.decoder);
    // The dialog's decoders come before the built-in firmware decoders.
    this.topicDecoders = pinnedTopic ? [pinnedTopic] : user.length > 0 ? [...user, ...TOPIC_DECODERS] : TOPIC_DECODERS;
    // A pinned payload decoder still lets the firmware decoders name the device from the topic (and drop command echoes).
    this.matcher = new TopicMatcher(options.templates, this.topicDecoders);
    this.dedupe = new DuplicateFilter(options.dedupeWindowMs, options.dedupeMax);
    this.limiter = new TokenBucket(options.rateLimit);
    this.bounds = new SeriesBounds(options.series);
    const max = options.discoveryMax ?? 0;
    this.discovery = max > 0 && options.decoder === 'auto' ? new DiscoveryDecoder(max) : undefined;
    const types = options.eventTypes;
    this.ctx = { eventType: (raw) => types.get(raw) ?? snakeName(raw) };
  }

  /** Normalizes one message. `now` is the receive time (epoch ms). Never throws for any input. */
  /**
   * `props`: MQTT 5 user properties of the message (`msg.userProperties`): `device_id` / `device` name the
   * device where the topic does not (a topic's id still wins: a different one is device_id_mismatch), and
   * `availability` (online / offline...) makes the message the device's availability Reading, as a Last Will.
   */
  normalize(topic: unknown, payload: unknown, now = Date.now(), props?: UserProperties): Outcome {
    const m = this.matcher.match(typeof topic === 'string' ? topic : '');
    try {
      return this.run(m, payload, now, props);
    } catch (err) {
      return { kind: 'reject', code: 'internal', message: `normalizer failed: ${(err as Error)?.message ?? String(err)}`, family: m.family };
    }
  }

  private run(m: TopicMatch, payload: unknown, now: number, props: UserProperties | undefined): Outcome {
    let family = m.family;
    let mRoute = m.route;
    let mDec = m.dec;
    const disc = this.discovery;
    if (disc !== undefined && m.spec === null && YIELDS_TO_DISCOVERY.has(family)) {
      if (m.ignore !== undefined && disc.isAnnouncement(m.topic)) return this.learn(disc, m.topic, payload);
      const r = disc.routeTopic(m.topic);
      if (r !== null) [mRoute, mDec, family] = [r, disc, HA_DISCOVERY];
    }
    if (m.ignore !== undefined && mDec === undefined) return { kind: 'ignored', reason: m.ignore, family };
    // A route's '' device: the payload names it (a dialog decoder with a `device` path).
    const topicDevice = m.vars?.deviceId ?? (mRoute?.deviceId || undefined);
    // Rate limit before parsing when the topic names the device.
    if (topicDevice !== undefined && !this.limiter.allow(topicDevice, now)) return { kind: 'rate-limited', deviceId: topicDevice, family };

    const propDevice = props === undefined ? undefined : idValue(prop(props, 'device_id') ?? prop(props, 'device'));
    if (propDevice !== undefined && topicDevice !== undefined && propDevice !== topicDevice)
      return this.reject(
        family,
        'device_id_mismatch',
        `user property device "${propDevice.slice(0, 64)}" is not the topic's device "${topicDevice.slice(0, 64)}"`,
      );
    const propAvailability = props === undefined ? undefined : prop(props, 'availability');
    if (propAvailability !== undefined) {
      // A will with `availability` says it all: the payload (often empty or free text) is not read.
      [mRoute, mDec] = [
        { deviceId: topicDevice ?? propDevice ?? '', sensorType: AVAILABILITY, kind: 'availability', extra: propAvailability },
        PROPS_AVAILABILITY,
      ];
      payload = propAvailability;
    }
    const parsed = parsePayload(payload, this.options.limits.maxBytes);
    if (!parsed.ok) return this.reject(family, parsed.code, parsed.message);
    const value = parsed.value;
    const d = this.draft;
    d.reset(UPTIME_LIMIT);
    let route = mRoute;
    let tdec = mDec;
    if (route === undefined && m.levels !== undefined && this.pinned === undefined) {
      // No template or topic rule: the payload may still show the ecosystem (Zigbee2MQTT under another base, a bare value).
      for (const dec of this.topicDecoders) {
        const r = dec.guess?.(m.levels, value);
        if (r) {
          [route, tdec] = [r, dec];
          if (r.deviceId !== '' && !this.limiter.allow(r.deviceId, now)) return { kind: 'rate-limited', deviceId: r.deviceId, family: dec.name };
          break;
        }
      }
    }
    let decoderName: string;
    if (route !== undefined && tdec !== undefined && this.pinned === undefined) {
      decoderName = tdec.name;
      if (!tdec.decode(value, route, d, this.ctx)) {
        if (d.ignored !== undefined) return { kind: 'ignored', reason: d.ignored, family: mDec ? family : tdec.name };
        return this.reject(family, d.code ?? 'internal', d.message);
      }
    } else {
      let decoder = this.pinned;
      const text = typeof value === 'string' ? `payload is text no decoder reads: "${value.slice(0, 40)}"` : '';
      if (decoder === undefined) {
        for (const dec of DECODERS) {
          if (dec.detect(value)) {
            decoder = dec;
            break;
          }
        }
        if (decoder === undefined) return this.reject(family, parsed.textCode ?? 'unsupported_shape', text || 'no decoder recognises this payload');
      } else if (!decoder.detect(value)) {
        if (parsed.textCode) return this.reject(family, parsed.textCode, text);
        return this.reject(family, 'decoder_mismatch', `payload does not have the shape the pinned decoder "${decoder.name}" reads`);
      }
      decoderName = decoder.name;
      if (!decoder.decode(value, d, this.ctx)) return this.reject(family, d.code ?? 'internal', d.message);
    }

    const routeDevice = d.routeDevice ?? topicDevice ?? (route?.deviceId || undefined) ?? propDevice;
    // One device may not speak for another: the topic's device id is the authority.
    if (routeDevice !== undefined && d.deviceId !== undefined && d.deviceId !== routeDevice) {
      return this.reject(
        family,
        'device_id_mismatch',
        `payload device_id "${d.deviceId.slice(0, 64)}" is not the topic's device "${routeDevice.slice(0, 64)}"`,
      );
    }
    const deviceId = routeDevice ?? d.deviceId ?? m.spec?.defaults.deviceId;
    if (deviceId === undefined) {
      return this.reject(
        family,
        'no_device_id',
        m.spec
          ? `no device id: template "${m.spec.source}" has no {deviceId} and the payload has no device_id`
          : `no device id: topic "${m.topic.slice(0, 100)}" matches no template and the payload has no device_id`,
      );
    }
    if (deviceId.length > 128 || hasControlChar(deviceId, true))
      return this.reject(family, 'invalid_device_id', 'device id is longer than 128 characters or holds control characters');
    if (topicDevice === undefined && !this.limiter.allow(deviceId, now)) return { kind: 'rate-limited', deviceId, family };
    let sensorType =
      (tdec === PROPS_AVAILABILITY ? AVAILABILITY : undefined) ??
      m.vars?.sensorType ??
      d.sensorType ??
      route?.sensorType ??
      m.spec?.defaults.sensorType ??
      (m.lastLevel || 'unknown');
    if (sensorType.length > 64 || hasControlChar(sensorType, true)) sensorType = 'unknown';

    let ts = now;
    let uptimeMs: number | undefined;
    if (d.tsRaw !== undefined && d.tsRaw !== null) {
      const t = this.time.parse(d.tsRaw, now, d.uptimeBelow);
      if (t === null) return this.reject(family, 'bad_timestamp', `timestamp ${JSON.stringify(d.tsRaw)?.slice(0, 60)} is not ISO 8601 or epoch time`);
      ts = t.ts;
      uptimeMs = t.uptimeMs;
    }

    let event = d.event;
    if (event === undefined && route === undefined && decoderName !== 'number') {
      const type = EVENT_SENSOR_TYPES[sensorType];
      if (type !== undefined && hasOwn(EVENT_SENSOR_TYPES, sensorType)) event = { id: '', type, data: this.draftData() };
    }
    if (event !== undefined && event.id === '') event.id = `${this.idPrefix}-${now.toString(36)}-${(++this.seq).toString(36)}`;

    const metrics: Record<string, number> = {};
    let units: Record<string, string> | undefined;
    let count = 0;
    let dropped = '';
    const n = d.mNames.length;
    const conv = this.options.conversions;
    for (let i = 0; i < n; i++) {
      let name = d.mNames[i];
      if (name === '' || (n === 1 && name === 'value')) name = snakeName(sensorType) || 'value';
      const rawUnit = d.mUnits[i];
      const info = this.info(name);
      let v = d.mValues[i];
      let unit = info.unit;
      // Fast path: no unit given and nothing to convert (all but Pa-range pressures).
      if (rawUnit !== undefined || unit === 'hPa') [v, unit] = convert(v, rawUnit === undefined ? undefined : canonicalUnit(rawUnit), unit, conv);
      if (!Number.isFinite(v)) return this.reject(family, 'not_finite', `${name} is not a finite number after conversion`);
      const r = info.range;
      if (r !== null && (unit === info.unit || info.unit === undefined) && (v < r[0] || v > r[1])) {
        if (this.options.outOfRange === 'reject') return this.reject(family, 'out_of_range', `${name}=${v} is outside ${r[0]}..${r[1]}`);
        dropped = `${name}=${v} is outside ${r[0]}..${r[1]}`;
        continue;
      }
      if (!hasOwn(metrics, name)) count++;
      metrics[name] = v;
      if (unit !== undefined) (units ??= {})[name] = unit;
    }
    if (uptimeMs !== undefined) {
      metrics.uptime_ms = uptimeMs;
      (units ??= {}).uptime_ms = 'ms';
      count++;
    }
    if (event !== undefined) {
      const em = eventMetric(event.type);
      if (!hasOwn(metrics, em)) {
        metrics[em] = eventValue(event);
        count++;
      }
    }
    if (count === 0 || (uptimeMs !== undefined && count === 1 && event === undefined)) {
      return dropped ? this.reject(family, 'out_of_range', dropped) : this.reject(family, 'no_metrics', 'payload holds no numeric value');
    }

    // Only valid events are remembered, so a rejected event can be sent again.
    if (event !== undefined && d.eventIdFromDevice && this.dedupe.isDuplicate(`${deviceId}\u0000${event.id}`, now)) {
      return { kind: 'duplicate', eventId: event.id, family };
    }

    const bounds = this.bounds;
    const reading: Reading = { deviceId, sensorType: bounds.measurement(sensorType), ts, metrics, received: now };
    if (units !== undefined) reading.units = units;
    let tags: Record<string, string> | undefined;
    for (let i = 0; i < d.tNames.length; i++) {
      const key = d.tNames[i];
      if (bounds.isTagKey(key)) (tags ??= {})[key] = bounds.tagValue(deviceId, key, d.tValues[i]);
    }
    if (tags !== undefined) reading.tags = tags;
    if (event !== undefined) reading.event = event;
    return { kind: 'reading', reading, decoder: decoderName, family: route !== undefined && mDec === undefined ? decoderName : family };
  }

  /** A discovery announcement: learned (or forgotten when empty), then dropped as carrying no reading. */
  private learn(disc: DiscoveryDecoder, topic: string, payload: unknown): Outcome {
    const parsed = parsePayload(payload, this.options.limits.maxBytes);
    if (!parsed.ok && parsed.code !== 'empty_payload') return this.reject(HA_DISCOVERY, parsed.code, parsed.message);
    const out = disc.learn(topic, parsed.ok ? parsed.value : undefined);
    return { kind: 'ignored', reason: out.reason, family: HA_DISCOVERY };
  }

  private reject(family: string, code: RejectCode, message: string): Outcome {
    return { kind: 'reject', code, message, family };
  }

  /** Event details for an event built from a plain object payload: its tags and raw metrics. */
  private draftData(): Record<string, unknown> {
    const d = this.draft;
    const data: Record<string, unknown> = {};
    for (let i = 0; i < d.tNames.length; i++) data[d.tNames[i]] = d.tValues[i];
    for (let i = 0; i < d.mNames.length; i++) if (d.mNames[i] !== '') data[d.mNames[i]] = d.mValues[i];
    return data;
  }

  private info(name: string): MetricInfo {
    let info = this.infos.get(name);
    if (info !== undefined) return info;
    const base = baseName(name);
    const unit = hasOwn(DEFAULT_UNITS, name) ? DEFAULT_UNITS[name] : base !== null && hasOwn(DEFAULT_UNITS, base) ? DEFAULT_UNITS[base] : undefined;
    const ranges = this.options.ranges;
    const range = ranges.has(name) ? ranges.get(name)! : base !== null && ranges.has(base) ? ranges.get(base)! : null;
    info = { unit, range };
    if (this.infos.size > 10000) this.infos.clear();
    this.infos.set(name, info);
    return info;
  }
}
