/**
 * Generic layouts, tried last: `<anything>/<device>/<metric>` with a bare number or
 * `ON` / `OFF` / `open` / `closed` / `true` / `false` payload (metric and sensor type
 * from the last level, device from the one before), `<base>/<device>/availability`, and
 * the Last Will layouts `<base>/<device>/status|state|lwt|connected` when the payload
 * can only be an availability (see {@link willOnline}).
 */
import { snakeName, stateWord } from '../draft';
import { isObj } from '../walk';
import { availability, bareValue, join, onlineValue } from './common';
import type { TopicDecoder } from './types';

const isBare = (v: unknown): boolean => typeof v === 'number' || typeof v === 'boolean' || (typeof v === 'string' && stateWord(v) !== undefined);

/** Last levels devices publish their will / availability on. */
const WILL_LEVELS: ReadonlyMap<string, 'word' | 'any'> = new Map([
  // `status` and `state` also carry real data (a relay's state 1 / 0, `ON`): only availability words count there.
  ['status', 'word'],
  ['state', 'word'],
  // These name nothing but availability: true / false and 1 / 0 count too.
  ['lwt', 'any'],
  ['connected', 'any'],
  ['availability', 'any'],
]);
const WORDS = new Set(['online', 'offline', 'connected', 'disconnected']);
/** Keys an availability object may hold besides its state (`{"state":"offline","ts":...}`); anything else is data. */
const WILL_KEYS = new Set([
  'state',
  'status',
  'online',
  'connected',
  'available',
  'ts',
  'time',
  'timestamp',
  'reason',
  'device',
  'device_id',
  'client_id',
  'clientid',
]);

/**
 * True when a payload on a will level is an availability, never real data: the words
 * online / offline / connected / disconnected (any case), `{"state":"offline"}`,
 * `{"online":false}` with no other data; on `lwt` / `connected` / `availability` also
 * true / false / 1 / 0.
 */
export function willOnline(level: string, v: unknown): boolean {
  const mode = WILL_LEVELS.get(level) ?? WILL_LEVELS.get(level.toLowerCase());
  if (mode === undefined) return false;
  if (typeof v === 'string') return WORDS.has(v.trim().toLowerCase());
  if (typeof v === 'boolean' || typeof v === 'number') return mode === 'any' && onlineValue(v) !== undefined;
  if (!isObj(v)) return false;
  let found = false;
  for (const k in v) {
    if (!WILL_KEYS.has(k)) return false;
    const x = v[k];
    if (k === 'online' || k === 'connected' || k === 'available') found ||= typeof x === 'boolean';
    else if (k === 'state' || k === 'status') found ||= typeof x === 'string' && WORDS.has(x.toLowerCase());
  }
  return found;
}

export const generic: TopicDecoder = {
  name: 'generic',
  topics: [],
  route(levels) {
    const n = levels.length;
    if (n >= 2 && levels[n - 1] === 'availability')
      return { deviceId: n === 2 ? levels[0] : join(levels, 1, n - 1), sensorType: 'generic', kind: 'availability' };
    return null;
  },
  guess(levels, value) {
    const n = levels.length;
    if (n < 3 || levels[n - 2] === '') return null;
    if (willOnline(levels[n - 1], value)) return { deviceId: levels[n - 2], sensorType: 'generic', kind: 'availability' };
    if (!isBare(value)) return null;
    const metric = snakeName(levels[n - 1]);
    if (metric === '') return null;
    return { deviceId: levels[n - 2], sensorType: metric, kind: 'bare', metric };
  },
  decode: (value, r, d) => (r.kind === 'availability' ? availability(d, value) : bareValue(d, r.metric!, value)),
};
