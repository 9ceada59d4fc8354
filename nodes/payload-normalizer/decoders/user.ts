/**
 * Decoders a user declares in the payload-normalizer's dialog (its *Decoders* field): data, not
 * code, so nothing is evaluated. Each entry is compiled once, when the node starts, into a
 * TopicDecoder that the node tries before the built-in firmware decoders (docs/decoders.md).
 *
 * ```json
 * [{ "name": "acme", "topic": "acme/{device}/{metric}", "units": { "temperature": "°C" } },
 *  { "name": "hub", "topic": "hub/+/up", "device": "dev.id", "time": "ts",
 *    "metrics": { "temperature": "data.t", "battery": "bat" }, "sensorType": "hub" }]
 * ```
 */
import { ValidationError } from '../../common/errors';
import { idValue, isForbiddenKey, snakeName, type Draft } from '../draft';
import { isObj, NO_SKIP, walk } from '../walk';
import { availability, bareValue } from './common';
import type { Route, TopicDecoder } from './types';

/** One entry of the *Decoders* field, as saved in the flow. */
export interface UserDecoderEntry {
  /** Short unique name: the Readings' `decoder` label and the message family. */
  name: string;
  /** MQTT filter with placeholders: `{device}` (or `{deviceId}`), `{metric}`, `{sensorType}`; `+`, `#` and other `{x}` match anything. */
  topic: string;
  /** Dot path of the device id in the payload, for topics without `{device}`. */
  device?: string;
  /** Metric name -> dot path in the payload (`$`: the bare payload). Absent: the `{metric}` level's bare value, else every numeric field. */
  metrics?: Record<string, string>;
  /** Metric name -> unit (`°C`, `hPa`, `W`...). */
  units?: Record<string, string>;
  /** Dot path of the device time (ISO 8601 or epoch s / ms). */
  time?: string;
  /** Sensor type of the Readings (default: the `{sensorType}` level, else the name). */
  sensorType?: string;
  /** `availability`: the payload says online / offline (the LWT of these devices). */
  kind?: 'data' | 'availability';
}

type Level = { lit: string } | { any: true } | { rest: true } | { take: 'device' | 'metric' | 'sensorType' };
type Path = readonly string[];

const NAME_RE = /^[a-z][a-z0-9_-]{0,31}$/;
const KEYS = new Set(['name', 'topic', 'device', 'metrics', 'units', 'time', 'sensorType', 'kind']);

/** The value at a dot path (`data.temp`, `values.0`; `$` is the payload itself), own properties only. */
export function atPath(v: unknown, path: Path): unknown {
  let cur = v;
  for (const key of path) {
    if (typeof cur !== 'object' || cur === null || !Object.prototype.hasOwnProperty.call(cur, key)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function compilePath(raw: unknown, where: string): Path {
  if (typeof raw !== 'string' || raw.trim() === '') throw new ValidationError(`${where} must be a dot path such as "data.temperature" (or "$")`, 'decoders');
  const p = raw.trim();
  if (p === '$') return [];
  const keys = p.replace(/^\$\./, '').split('.');
  if (keys.some((k) => k === '' || isForbiddenKey(k))) throw new ValidationError(`${where} "${p.slice(0, 60)}" is not a dot path`, 'decoders');
  return keys;
}

function compileTopic(raw: unknown, where: string): Level[] {
  if (typeof raw !== 'string' || raw.trim() === '') throw new ValidationError(`${where}: topic is required, e.g. "acme/{device}/{metric}"`, 'decoders');
  const levels = raw.trim().split('/');
  const seen = new Set<string>();
  return levels.map((l, i): Level => {
    if (l === '#') {
      if (i !== levels.length - 1) throw new ValidationError(`${where}: topic "${raw}" has # before its last level`, 'decoders');
      return { rest: true };
    }
    if (l === '+') return { any: true };
    const m = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(l);
    if (m) {
      const take = m[1] === 'device' || m[1] === 'deviceId' ? 'device' : m[1] === 'metric' || m[1] === 'sensorType' ? m[1] : undefined;
      if (take === undefined) return { any: true };
      if (seen.has(take)) throw new ValidationError(`${where}: topic "${raw}" names {${m[1]}} twice`, 'decoders');
      seen.add(take);
      return { take };
    }
    if (/[{}+#]/.test(l)) throw new ValidationError(`${where}: topic level "${l}" mixes text with a placeholder or wildcard`, 'decoders');
    return { lit: l };
  });
}

function stringMap(raw: unknown, where: string): Record<string, string> {
  if (raw === undefined) return {};
  if (!isObj(raw)) throw new ValidationError(`${where} must be an object of name -> text`, 'decoders');
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== 'string' || v === '') throw new ValidationError(`${where}.${k} must be a non-empty text`, 'decoders');
  }
  return raw as Record<string, string>;
}

/** Compiles one entry; throws a ValidationError naming the entry and field. */
export function compileUserDecoder(entry: unknown, index: number, taken: ReadonlySet<string>): TopicDecoder {
  const at = `decoders[${index}]`;
  if (!isObj(entry)) throw new ValidationError(`${at} must be an object with name and topic`, 'decoders');
  const name = entry.name;
  if (typeof name !== 'string' || !NAME_RE.test(name))
    throw new ValidationError(`${at}.name must be a short lower-case name (letters, digits, _ and -), got ${JSON.stringify(name)?.slice(0, 40)}`, 'decoders');
  const where = `decoders[${index}] "${name}"`;
  if (taken.has(name)) throw new ValidationError(`${where}: the name is already used by another decoder`, 'decoders');
  const extra = Object.keys(entry).find((k) => !KEYS.has(k));
  if (extra !== undefined) throw new ValidationError(`${where}: unknown field "${extra.slice(0, 40)}" (known: ${[...KEYS].join(', ')})`, 'decoders');
  const levels = compileTopic(entry.topic, where);
  const idx = (take: string): number => levels.findIndex((l) => 'take' in l && l.take === take);
  const deviceAt = idx('device');
  const metricAt = idx('metric');
  const devicePath = entry.device === undefined ? undefined : compilePath(entry.device, `${where}.device`);
  if (deviceAt < 0 && devicePath === undefined)
    throw new ValidationError(`${where}: give the device id, as {device} in the topic or as a payload path in "device"`, 'decoders');
  if (deviceAt >= 0 && devicePath !== undefined)
    throw new ValidationError(`${where}: the device comes from the topic ({device}) or from "device", not both`, 'decoders');
  const kind = entry.kind ?? 'data';
  if (kind !== 'data' && kind !== 'availability') throw new ValidationError(`${where}.kind must be data or availability`, 'decoders');
  const metricMap = entry.metrics === undefined ? undefined : stringMap(entry.metrics, `${where}.metrics`);
  const metrics = Object.entries(metricMap ?? {}).map(([m, p]): [string, Path] => {
    const n = snakeName(m);
    if (n === '') throw new ValidationError(`${where}.metrics: "${m.slice(0, 40)}" is not a usable metric name`, 'decoders');
    return [n, compilePath(p, `${where}.metrics.${m}`)];
  });
  if (metricMap !== undefined && metrics.length === 0) throw new ValidationError(`${where}.metrics is empty`, 'decoders');
  const units = new Map(Object.entries(stringMap(entry.units, `${where}.units`)).map(([m, u]) => [snakeName(m), u]));
  const timePath = entry.time === undefined ? undefined : compilePath(entry.time, `${where}.time`);
  if (entry.sensorType !== undefined && (typeof entry.sensorType !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(entry.sensorType)))
    throw new ValidationError(`${where}.sensorType must be a name (letters, digits, _ and -)`, 'decoders');
  const sensorType = (entry.sensorType as string | undefined) ?? name;
  const hasRest = levels.length > 0 && 'rest' in levels[levels.length - 1];
  const fixed = hasRest ? levels.length - 1 : levels.length;

  const route = (topic: readonly string[]): Route | null => {
    if (hasRest ? topic.length < fixed : topic.length !== fixed) return null;
    let deviceId = '';
    let metric: string | undefined;
    let type = sensorType;
    for (let i = 0; i < fixed; i++) {
      const l = levels[i];
      const t = topic[i];
      if ('lit' in l) {
        if (t !== l.lit) return null;
      } else if ('take' in l) {
        if (t === '') return null;
        if (l.take === 'device') deviceId = t;
        else if (l.take === 'metric') metric = snakeName(t) || undefined;
        else type = t;
      }
    }
    if (metricAt >= 0 && metric === undefined) return null;
    return { deviceId, sensorType: type, kind, metric };
  };

  const decode = (value: unknown, r: Route, d: Draft): boolean => {
    if (devicePath !== undefined) {
      const id = idValue(atPath(value, devicePath));
      if (id === undefined) return d.fail('no_device_id', `decoder "${name}": the payload has no device id at "${devicePath.join('.')}"`);
      d.deviceId = id;
    }
    if (timePath !== undefined) d.tsRaw = atPath(value, timePath);
    if (r.kind === 'availability') return availability(d, value);
    d.stateWords = true;
    if (metrics.length > 0) {
      for (const [m, path] of metrics) {
        const v = atPath(value, path);
        if (v === undefined || v === null) continue; // a field this message does not carry
        if (!bareValue(d, m, v, units.get(m))) return false;
      }
      return true;
    }
    if (r.metric !== undefined && !isObj(value)) return bareValue(d, r.metric, value, units.get(r.metric));
    if (isObj(value)) {
      const start = d.mNames.length;
      if (!walk(value, r.metric ?? '', 0, d, true, NO_SKIP)) return false;
      for (let i = start; i < d.mNames.length; i++) if (d.mUnits[i] === undefined) d.mUnits[i] = units.get(d.mNames[i]);
      return true;
    }
    return bareValue(d, '', value, units.get(snakeName(r.sensorType)));
  };

  return { name, topics: [], route, decode: (v, r, d) => decode(v, r, d) };
}

/** The *Decoders* field (JSON text or an array) -> compiled decoders, in the order given. */
export function parseUserDecoders(raw: unknown, builtinNames: readonly string[]): TopicDecoder[] {
  if (raw === undefined || raw === null || raw === '') return [];
  let list: unknown = raw;
  if (typeof raw === 'string') {
    if (raw.trim() === '') return [];
    try {
      list = JSON.parse(raw);
    } catch (err) {
      throw new ValidationError(`decoders is not valid JSON: ${(err as Error).message}`, 'decoders');
    }
  }
  if (!Array.isArray(list)) throw new ValidationError('decoders must be a JSON array of decoder entries', 'decoders');
  const taken = new Set(builtinNames);
  return list.map((entry, i) => {
    const dec = compileUserDecoder(entry, i, taken);
    taken.add(dec.name);
    return dec;
  });
}
