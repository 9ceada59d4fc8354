/**
 * OwnTracks: `owntracks/<user>/<device>` location messages (`_type: location`:
 * `lat`, `lon`, `acc`, `alt`, `batt` as `battery`, `vel`, `tst` as the time),
 * `transition` messages (on the device topic or `.../event`) as `transition` events,
 * and `lwt` as the device going offline. The device id is `<user>/<device>`.
 * `.../cmd`, `info`, `waypoint(s)` and the rest are ignored.
 */
import { isObj, type Obj } from '../walk';
import { availability } from './common';
import type { TopicDecoder } from './types';

const FIELDS: ReadonlyArray<[string, string, string | undefined]> = [
  ['lat', 'lat', '°'],
  ['lon', 'lon', '°'],
  ['acc', 'acc', 'm'],
  ['alt', 'alt', 'm'],
  ['vac', 'vac', 'm'],
  ['batt', 'battery', '%'],
  ['bs', 'battery_status', undefined],
  ['vel', 'vel', 'km/h'],
  ['cog', 'cog', '°'],
];

export const owntracks: TopicDecoder = {
  name: 'owntracks',
  topics: ['owntracks/+/+', 'owntracks/+/+/event'],
  route(levels) {
    if (levels[0] !== 'owntracks' || levels.length < 3) return null;
    if (levels.length > 4 || (levels.length === 4 && levels[3] !== 'event')) return { ignore: 'owntracks command, card or waypoint topic' };
    return { deviceId: `${levels[1]}/${levels[2]}`, sensorType: 'location', kind: 'owntracks' };
  },
  decode(value, r, d) {
    if (!isObj(value) || typeof value._type !== 'string') return d.fail('unsupported_shape', 'owntracks message has no _type');
    const o = value as Obj;
    if (o._type === 'lwt') return availability(d, false);
    if (o._type !== 'location' && o._type !== 'transition') return d.ignore(`owntracks ${String(o._type).slice(0, 20)}`);
    d.tsRaw = o.tst;
    for (const [key, name, unit] of FIELDS) {
      const v = o[key];
      if (typeof v === 'number' && Number.isFinite(v)) d.metric(name, v, unit);
    }
    if (o._type === 'transition') {
      d.event = { id: '', type: 'transition', data: { event: String(o.event ?? '').slice(0, 16), region: String(o.desc ?? '').slice(0, 64) } };
    }
    return true;
  },
};
