/**
 * Shelly Gen1: `shellies/<id>/<path>` with bare values (`relay/0` on, `relay/0/power`
 * 12.5, `emeter/1/voltage`, `sensor/temperature`), `shellies/<id>/online`, JSON
 * `input_event/<n>` (an event) and `.../status` objects. The metric is the path joined
 * with `_` (`relay_0_power`, `emeter_1_voltage`), `sensor/` dropped (`temperature`).
 * Command topics (`.../command`, `.../set`, `shellies/command`) and `announce` are ignored.
 */
import { snakeName } from '../draft';
import { isObj, walk, type Obj, NO_SKIP } from '../walk';
import { availability, bareValue } from './common';
import type { TopicDecoder } from './types';

/** Unit of a Gen1 value by its last path part; `energy` is in watt-minutes on relays and meters. */
const UNITS: Readonly<Record<string, string>> = {
  power: 'W',
  energy: 'Wmin',
  returned_energy: 'Wmin',
  total: 'Wh',
  total_returned: 'Wh',
  reactive_power: 'var',
  voltage: 'V',
  current: 'A',
  temperature: '°C',
  humidity: '%',
  battery: '%',
  lux: 'lx',
  concentration: 'ppm',
  tilt: '°',
  overpower_value: 'W',
  pos: '%',
  brightness: '%',
  ext_temperature: '°C',
};
const IGNORED = new Set([
  'announce',
  'command',
  'set',
  'info',
  'act_reasons',
  'illumination',
  'temperature_f',
  'ext_temperature_f',
  'gas_sensor',
  'self_test',
  'valve',
  'sensor_state',
]);

export const shelly: TopicDecoder = {
  name: 'shelly',
  topics: ['shellies/#'],
  route(levels) {
    const n = levels.length;
    if (levels[0] !== 'shellies') return null;
    if (n < 3 || levels.some((l) => IGNORED.has(l))) return { ignore: 'shelly command or announce topic' };
    const id = levels[1];
    if (n === 3 && levels[2] === 'online') return { deviceId: id, sensorType: 'shelly', kind: 'availability' };
    const path = levels[2] === 'sensor' ? levels.slice(3) : levels.slice(2);
    const metric = snakeName(path.join('_'));
    if (metric === '') return { ignore: 'shelly topic without a value name' };
    const last = path[path.length - 1];
    const unitKey = /^\d+$/.test(last) ? snakeName(path[path.length - 2] ?? '') : snakeName(last);
    const kind = path[0] === 'input_event' ? 'event' : last === 'status' ? 'json' : 'bare';
    return { deviceId: id, sensorType: 'shelly', kind, metric, extra: UNITS[unitKey] };
  },
  decode(value, r, d) {
    if (r.kind === 'availability') return availability(d, value);
    if (r.kind === 'event') {
      if (!isObj(value) || typeof value.event !== 'string') return d.fail('unsupported_shape', 'shelly input_event is not {"event": ...}');
      if (value.event === '') return d.ignore('shelly input_event without an event');
      d.event = { id: '', type: 'input', data: { input: r.metric!.replace(/^input_event_/, ''), event: value.event.slice(0, 16) } };
      if (typeof value.event_cnt === 'number') d.metric('event_cnt', value.event_cnt);
      return true;
    }
    if (r.kind === 'json') {
      if (!isObj(value)) return d.fail('unsupported_shape', 'shelly status is not a JSON object');
      d.stateWords = true;
      return walk(value as Obj, r.metric === 'status' ? '' : `${r.metric!.replace(/_status$/, '')}_`, 0, d, true, NO_SKIP);
    }
    return bareValue(d, r.metric!, value, r.extra);
  },
};
