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

/** Command class names as Z-Wave JS UI writes them in named topics (`sensor_multilevel`, `Multilevel Sensor`). */
const CLASSES = new Set([
  'sensor_multilevel',
  'multilevel_sensor',
  'sensor_binary',
  'binary_sensor',
  'switch_binary',
  'binary_switch',
  'switch_multilevel',
  'multilevel_switch',
  'meter',
  'battery',
  'notification',
  'alarm',
  'configuration',
  'central_scene',
  'thermostat_mode',
  'thermostat_setpoint',
  'thermostat_operating_state',
  'thermostat_fan_mode',
  'door_lock',
  'basic',
  'indicator',
  'color_switch',
  'switch_color',
  'scene_activation',
  'sound_switch',
  'barrier_operator',
  'window_covering',
  'protection',
  'wake_up',
  'version',
  'manufacturer_specific',
  'clock',
  'user_code',
  'entry_control',
  'alarm_sensor',
  'humidity_control_mode',
  'energy_production',
  'irrigation',
]);
const isClass = (level: string): boolean => /^\d{2,3}$/.test(level) || /^unknown_?class_\d+$/i.test(level) || CLASSES.has(snakeName(level));

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
    // The command class level: a number (ValueId topics) or a class name (named topics); the node is the level before.
    let c = -1;
    for (let i = 2; i < Math.min(n - 1, 4); i++)
      if (isClass(levels[i])) {
        c = i;
        break;
      }
    if (c < 0) return { ignore: 'z-wave js ui topic without a value' };
    const ep = /^(?:endpoint_)?(\d+)$/.exec(levels[c + 1]);
    const from = ep && c + 2 < n ? c + 2 : c + 1;
    const metric = snakeName(levels.slice(from).join('_'));
    if (metric === '') return null;
    const endpoint = ep && from === c + 2 ? ep[1] : '0';
    return {
      deviceId: levels[c - 1],
      sensorType: 'zwave',
      kind: 'value',
      metric: endpoint === '0' ? metric : `${metric}_${endpoint}`,
      extra: c === 3 ? levels[1] : undefined,
    };
  },
  decode(value, r, d: Draft) {
    if (r.extra !== undefined) d.tag('location', r.extra);
    if (r.kind === 'availability')
      return availability(d, isObj(value) && typeof value.status === 'string' ? value.status !== 'Dead' && value.value !== false : value);
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
