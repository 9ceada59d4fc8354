/**
 * The decoder registry. Each decoder has a name, a cheap detect() on the parsed
 * payload and a decode() that fills a Draft. Auto-detection tries them in
 * DECODERS order; a node can pin one by name.
 */
import type { DecodeContext } from './decoders/types';
import { Draft, idValue, snakeName, stateWord } from './draft';
import { EPOCH_MS_MIN } from './timestamps';
import { addValue, copyData, isObj, NO_SKIP, walk, type Obj } from './walk';

export type { DecodeContext } from './decoders/types';

export interface Decoder {
  readonly name: string;
  /** Cheap shape test on the parsed payload (a number, boolean or plain object). */
  detect(p: unknown): boolean;
  /** Fills the draft; false (with d.code set) to reject. */
  decode(p: unknown, d: Draft, ctx: DecodeContext): boolean;
}

const EVENT_SKIP: ReadonlySet<string> = new Set(['event_id', 'type', 'data']);
const ARRAY_SKIP: ReadonlySet<string> = new Set(['metrics']);

/** Flat JSON readings, nested sensor blocks, small payloads such as {"confidence":0.95}. */
export const flat: Decoder = {
  name: 'flat',
  detect: isObj,
  decode: (p, d) => walk(p as Obj, '', 0, d, true, NO_SKIP),
};

/** The ESP32 MAX30614 document: its `timestamp` is millis() uptime unless it has epoch-ms magnitude. */
export const esp32: Decoder = {
  name: 'esp32',
  detect(p) {
    if (!isObj(p)) return false;
    if (p.heart_rate !== undefined || p.spo2 !== undefined || p.object_temp !== undefined) return true;
    return typeof p.sensor_type === 'string' && /^max3/i.test(p.sensor_type);
  },
  decode(p, d) {
    d.uptimeBelow = EPOCH_MS_MIN;
    return walk(p as Obj, '', 0, d, true, NO_SKIP);
  },
};

/** Device events: {event_id, device_id, source, type: "MOTION_DETECTED", data: {...}, timestamp}. */
export const event: Decoder = {
  name: 'event',
  detect(p) {
    return isObj(p) && typeof p.type === 'string' && (p.event_id !== undefined || p.eventId !== undefined || isObj(p.data));
  },
  decode(p, d, ctx) {
    const o = p as Obj;
    const type = ctx.eventType(o.type as string);
    if (type === '') return d.fail('unsupported_shape', `event type "${String(o.type).slice(0, 40)}" has no usable name`);
    const id = idValue(o.event_id ?? o.eventId);
    let data: Obj | undefined;
    if (isObj(o.data)) {
      data = copyData(o.data, 1, d) as Obj | undefined;
      if (d.code) return false;
    }
    d.event = { id: id ?? '', type, ...(data ? { data } : {}) };
    d.eventIdFromDevice = id !== undefined;
    return walk(o, '', 0, d, true, EVENT_SKIP);
  },
};

/** Telemetry with a metrics array: {device_id, timestamp, metrics: [{name, value, unit}]}. */
export const metricsArray: Decoder = {
  name: 'metrics-array',
  detect: (p) => isObj(p) && Array.isArray(p.metrics),
  decode(p, d) {
    const o = p as Obj;
    if (!walk(o, '', 0, d, true, ARRAY_SKIP)) return false;
    for (const item of o.metrics as unknown[]) {
      if (!d.countKey()) return false;
      if (!isObj(item)) continue;
      const name = typeof item.name === 'string' ? snakeName(item.name) : '';
      if (name === '') continue;
      if (!addValue(d, name, item.value, typeof item.unit === 'string' && item.unit !== '' ? item.unit : undefined)) return false;
    }
    return true;
  },
};

/**
 * A bare number, boolean or state word (`21.5`, `true`, `ON`, `closed`): the metric is
 * named after the sensor type / last topic level; state words become 0/1.
 */
export const plain: Decoder = {
  name: 'number',
  detect: (p) => typeof p === 'number' || typeof p === 'boolean' || (typeof p === 'string' && stateWord(p) !== undefined),
  decode: (p, d) => addValue(d, '', typeof p === 'string' ? stateWord(p) : p),
};

/** An already normalized Reading (a flow that normalizes twice, or a Reading from another node): re-validated as is. */
export const reading: Decoder = {
  name: 'reading',
  detect: (p) => isObj(p) && typeof p.deviceId === 'string' && typeof p.sensorType === 'string' && isObj(p.metrics),
  decode(p, d) {
    const o = p as Obj;
    d.deviceId = idValue(o.deviceId);
    d.sensorType = idValue(o.sensorType);
    d.tsRaw = o.ts;
    d.uptimeBelow = 0; // a Reading's ts is always epoch ms
    const metrics = o.metrics as Obj;
    const units = isObj(o.units) ? o.units : undefined;
    for (const key in metrics) {
      if (!d.countKey()) return false;
      const name = snakeName(key);
      const u = units?.[key];
      if (name !== '' && !addValue(d, name, metrics[key], typeof u === 'string' ? u : undefined)) return false;
    }
    if (isObj(o.tags)) {
      for (const key in o.tags) {
        if (!d.countKey()) return false;
        const name = snakeName(key);
        const v = o.tags[key];
        if (name !== '' && typeof v === 'string') d.tag(name, v);
      }
    }
    const ev = o.event;
    if (isObj(ev) && typeof ev.type === 'string') {
      const id = idValue(ev.id);
      const data = isObj(ev.data) ? (copyData(ev.data, 1, d) as Obj | undefined) : undefined;
      if (d.code) return false;
      d.event = { id: id ?? '', type: snakeName(ev.type), ...(data ? { data } : {}) };
      d.eventIdFromDevice = id !== undefined;
    }
    return true;
  },
};

/** Auto-detection order: most specific first; `flat` takes any object. */
export const DECODERS: readonly Decoder[] = [plain, reading, metricsArray, event, esp32, flat];
export const DECODER_NAMES: readonly string[] = DECODERS.map((x) => x.name);

export function decoderByName(name: string): Decoder | undefined {
  return DECODERS.find((x) => x.name === name);
}
