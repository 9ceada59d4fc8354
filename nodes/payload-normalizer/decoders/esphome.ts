/**
 * ESPHome's MQTT client: `<node>/<component>/<object id>/state` (sensor numbers,
 * binary_sensor / switch / light `ON` / `OFF`, cover `open` / `closed`, text_sensor
 * text), and `<node>/status` (`online` / `offline`). A text sensor's state becomes a
 * `text_sensor` event with `data: {name, state}`. `.../command` topics are ignored.
 */
import { snakeName } from '../draft';
import { availability, bareValue, join } from './common';
import type { TopicDecoder } from './types';

const COMPONENTS = new Set([
  'sensor',
  'binary_sensor',
  'text_sensor',
  'switch',
  'light',
  'fan',
  'cover',
  'lock',
  'number',
  'select',
  'climate',
  'valve',
  'event',
]);

export const esphome: TopicDecoder = {
  name: 'esphome',
  topics: [
    '+/sensor/+/state',
    '+/binary_sensor/+/state',
    '+/text_sensor/+/state',
    '+/switch/+/state',
    '+/light/+/state',
    '+/fan/+/state',
    '+/cover/+/state',
    '+/lock/+/state',
    '+/valve/+/state',
    '+/number/+/state',
    '+/select/+/state',
    '+/climate/+/+/state',
    '+/status/#', // `<node>/status`; shared with Shelly Gen2's `<id>/status/<component>`
  ],
  route(levels) {
    const n = levels.length;
    if (n === 2 && levels[1] === 'status') return { deviceId: levels[0], sensorType: 'esphome', kind: 'availability' };
    if (n < 4) return null;
    // `<node>/<component>/<id>/state` and climate's `<node>/climate/<id>/current_temperature/state`.
    const c = levels[n - 1] === 'state' ? (COMPONENTS.has(levels[n - 3]) ? n - 3 : COMPONENTS.has(levels[n - 4]) && n >= 5 ? n - 4 : -1) : -1;
    if (c < 1) return levels[n - 1] === 'command' && COMPONENTS.has(levels[n - 3]) ? { ignore: 'esphome command topic' } : null;
    const metric = snakeName(levels.slice(c + 1, n - 1).join('_'));
    if (metric === '') return null;
    return { deviceId: join(levels, 0, c), sensorType: 'esphome', kind: levels[c], metric };
  },
  decode(value, r, d) {
    if (r.kind === 'availability') return availability(d, value);
    if (r.kind === 'text_sensor' || r.kind === 'select') {
      if (typeof value === 'number') return bareValue(d, r.metric!, value);
      d.event = { id: '', type: 'text_sensor', data: { name: r.metric!, state: String(value).slice(0, 256) } };
      return true;
    }
    return bareValue(d, r.metric!, value);
  },
};
