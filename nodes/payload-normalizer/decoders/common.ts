/** Helpers the firmware decoders share: availability readings and bare values. */
import { numericString, stateWord, type Draft } from '../draft';
import { isObj } from '../walk';

/** Sensor type of the availability Readings every ecosystem's LWT / status topic becomes. */
export const AVAILABILITY = 'availability';

/** true / false for `online`, `Online`, `offline`, `connected`, `true`, `false`, 1 / 0, `{"state":"online"}`, `{"online":false}`; undefined otherwise. */
export function onlineValue(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v === 1 ? true : v === 0 ? false : undefined;
  if (typeof v === 'string') {
    const w = stateWord(v);
    if (w !== undefined) return w === 1;
    const l = v.trim().toLowerCase();
    return l === 'connected' ? true : l === 'disconnected' ? false : undefined;
  }
  if (isObj(v)) return onlineValue(v.state ?? v.status ?? v.online ?? v.connected ?? v.value);
  return undefined;
}

/**
 * The availability Reading: sensor type `availability`, metric `online` 1 / 0 and tag
 * `status` online / offline. False (unsupported_shape) when the payload says neither.
 */
export function availability(d: Draft, v: unknown): boolean {
  const online = onlineValue(v);
  if (online === undefined) return d.fail('unsupported_shape', `availability payload ${JSON.stringify(v)?.slice(0, 40)} is neither online nor offline`);
  d.sensorType = AVAILABILITY;
  d.metric('online', online ? 1 : 0);
  d.tag('status', online ? 'online' : 'offline');
  return true;
}

/** A bare value (number, numeric text, boolean, state word) as one metric; false (unsupported_shape) for other text. */
export function bareValue(d: Draft, name: string, v: unknown, unit?: string): boolean {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return d.fail('not_finite', `${name} is ${v}`);
    d.metric(name, v, unit);
    return true;
  }
  if (typeof v === 'boolean') {
    d.metric(name, v ? 1 : 0, unit);
    return true;
  }
  if (typeof v === 'string') {
    const n = numericString(v) ?? stateWord(v);
    if (n !== undefined && Number.isFinite(n)) {
      d.metric(name, n, unit);
      return true;
    }
  }
  return d.fail('unsupported_shape', `${name}: ${JSON.stringify(v)?.slice(0, 40)} is not a number or a state`);
}

/** Topic levels from `from` (inclusive) to `to` (exclusive) joined with `/`. */
export const join = (levels: readonly string[], from: number, to = levels.length): string => levels.slice(from, to).join('/');
