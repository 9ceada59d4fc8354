/**
 * Z-Wave JS UI (named topics, default prefix `zwave`):
 * `zwave/[<location>/]<node name>/<command class>/<endpoint>/<property>[/<property key>]`
 * with a time-value payload `{"time", "value"}` (or the ValueID payload, whose `unit`
 * is used, or a bare value). The node name is the device, the location a `location`
 * tag, the property the metric (`air_temperature`). `.../status` (`{"value": true,
 * "status": "Alive"}`) is availability. `/set`, `_CLIENTS` and `_EVENTS` are ignored.
 */
import { snakeName, type Draft } from '../draft';
import { isObj } from '../walk';
import { availability, bareValue } from './common';
import type { TopicDecoder } from './types';

export const zwavejs: TopicDecoder = {
  name: 'zwavejs',
  topics: ['zwave/#'],
  route(levels) {
    const n = levels.length;
    if (levels[0] !== 'zwave') return null;
    if (n < 3 || levels[1].startsWith('_') || levels[n - 1] === 'set' || levels[n - 2] === 'set') return { ignore: 'z-wave js ui api, event or command topic' };
    if (levels[n - 1] === 'status' && (n === 3 || n === 4)) {
      return { deviceId: levels[n - 2], sensorType: 'zwave', kind: 'availability', extra: n === 4 ? levels[1] : undefined };
    }
    // The endpoint is the first all-digit level after a command class name.
    let e = -1;
    for (let i = 3; i < n - 1; i++) if (/^\d+$/.test(levels[i]) && /[a-z]/i.test(levels[i - 1])) { e = i; break; }
    if (e < 0 && n >= 5 && /^\d+$/.test(levels[2]) && /^\d+$/.test(levels[3])) e = 3; // numeric layout: zwave/<node id>/<cc id>/<endpoint>/...
    if (e < 0 || e > 4) return { ignore: 'z-wave js ui topic without a value' };
    const metric = snakeName(levels.slice(e + 1).join('_'));
    if (metric === '') return null;
    return { deviceId: levels[e - 2], sensorType: 'zwave', kind: 'value', metric: levels[e] === '0' ? metric : `${metric}_${levels[e]}`, extra: e === 4 ? levels[1] : undefined };
  },
  decode(value, r, d: Draft) {
    if (r.extra !== undefined) d.tag('location', r.extra);
    if (r.kind === 'availability') return availability(d, isObj(value) && typeof value.status === 'string' ? value.status !== 'Dead' && value.value !== false : value);
    if (!isObj(value)) return bareValue(d, r.metric!, value);
    if (typeof value.time === 'number') d.tsRaw = value.time;
    else if (typeof value.lastUpdate === 'number') d.tsRaw = value.lastUpdate;
    const v = value.value;
    if (v === undefined || v === null) return d.ignore('z-wave js ui value without a value');
    if (isObj(v) || Array.isArray(v)) return d.ignore('z-wave js ui structured value');
    if (typeof v === 'string' && !/^[-+\d.]/.test(v) && v.length > 9) return d.ignore('z-wave js ui text value');
    return bareValue(d, r.metric!, v, typeof value.unit === 'string' && value.unit !== '' ? value.unit : undefined);
  },
};
