/**
 * Zigbee2MQTT: `<base>/<friendly name>` state objects (names may hold `/`),
 * `<base>/<name>/availability` (`{"state":"online"}` or legacy `online`).
 * `zigbee2mqtt` is the default base; any other base is recognised by the payload
 * (`linkquality` / `last_seen`). `/set`, `/get` and `bridge/...` are ignored.
 */
import { snakeName } from '../draft';
import { availability, bareValue, join } from './common';
import type { TopicDecoder, Route } from './types';
import { isObj, walk, type Obj } from '../walk';

const SKIP: ReadonlySet<string> = new Set(['action', 'last_seen', 'update', 'update_available', 'device']);

function route(levels: readonly string[], from: number): Route | { ignore: string } {
  const n = levels.length;
  const last = levels[n - 1];
  if (levels[from] === 'bridge') return { ignore: 'zigbee2mqtt bridge topic' };
  if (last === 'set' || last === 'get' || levels[n - 2] === 'set' || levels[n - 2] === 'get') return { ignore: 'zigbee2mqtt command topic' };
  if (last === 'availability' && n > from + 1) return { deviceId: join(levels, from, n - 1), sensorType: 'zigbee', kind: 'availability' };
  return { deviceId: join(levels, from), sensorType: 'zigbee', kind: 'state' };
}

export const zigbee2mqtt: TopicDecoder = {
  name: 'zigbee2mqtt',
  topics: ['zigbee2mqtt/#'],
  route: (levels) => (levels[0] === 'zigbee2mqtt' && levels.length >= 2 ? route(levels, 1) : null),
  guess(levels, value) {
    if (levels.length < 2 || !isObj(value) || (value.linkquality === undefined && value.last_seen === undefined)) return null;
    const r = route(levels, 1);
    return 'ignore' in r ? null : r;
  },
  decode(value, r, d) {
    if (r.kind === 'availability') return availability(d, value);
    if (!isObj(value)) {
      // output: attribute publishes `<base>/<name>/<attribute>` with a bare value.
      const slash = r.deviceId.lastIndexOf('/');
      if (slash <= 0) return d.fail('unsupported_shape', 'zigbee2mqtt state is not a JSON object');
      d.routeDevice = r.deviceId.slice(0, slash);
      return bareValue(d, snakeName(r.deviceId.slice(slash + 1)) || 'value', value);
    }
    const o = value as Obj;
    d.stateWords = true;
    if (o.last_seen !== undefined) d.tsRaw = o.last_seen;
    if (typeof o.action === 'string' && o.action !== '') d.event = { id: '', type: 'action', data: { action: o.action.slice(0, 64) } };
    return walk(o, '', 0, d, true, SKIP);
  },
};
