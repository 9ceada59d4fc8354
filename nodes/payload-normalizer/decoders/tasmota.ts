/**
 * Tasmota: `tele/<topic>/SENSOR|STATE|LWT`, `stat/<topic>/RESULT|POWER<n>|STATUS<n>`,
 * with any FullTopic that keeps `%prefix%` and `%topic%` as the last two levels
 * before the command (`<x>/tele/<topic>/SENSOR`, `<topic>/tele/SENSOR`). Sensor blocks
 * become `<block>_<name>` (`ds18b20_1_temperature`), ENERGY arrays `energy_power_1`,
 * `TempUnit` applies to the temperatures, `Time` is the device's local time (the node's
 * time zone). `cmnd/...` is ignored.
 */
import { snakeName } from '../draft';
import { isObj, walk, type Obj, NO_SKIP } from '../walk';
import { availability, bareValue } from './common';
import type { Route, TopicDecoder } from './types';

const PREFIXES = new Set(['tele', 'stat', 'cmnd']);
const COMMAND_RE = /^[A-Z][A-Z0-9_]*$/;
const IGNORED = /^(?:INFO\d|UPTIME|MARGINS|UPGRADE|LOGGING|HASS_STATE)$/;
const ENERGY_UNITS: Readonly<Record<string, string>> = {
  total: 'kWh',
  yesterday: 'kWh',
  today: 'kWh',
  power: 'W',
  apparent_power: 'VA',
  reactive_power: 'var',
  voltage: 'V',
  current: 'A',
  frequency: 'Hz',
  period: 'Wh',
  export_active: 'kWh',
  import_active: 'kWh',
};

function kindOf(prefix: string, cmd: string): string {
  if (cmd === 'LWT') return 'lwt';
  if (cmd === 'SENSOR' || cmd === 'STATE' || cmd === 'RESULT' || cmd.startsWith('STATUS')) return 'json';
  return prefix === 'stat' || prefix === 'tele' ? 'bare' : 'json';
}

export const tasmota: TopicDecoder = {
  name: 'tasmota',
  topics: ['tele/#', 'stat/#'],
  route(levels) {
    const n = levels.length;
    if (n < 3) return null;
    if (levels[n - 3] === 'cmnd' || levels[n - 2] === 'cmnd') return { ignore: 'tasmota command topic' };
    if (!COMMAND_RE.test(levels[n - 1])) return null;
    const cmd = levels[n - 1];
    let prefix: string;
    let device: string;
    if (PREFIXES.has(levels[n - 3])) [prefix, device] = [levels[n - 3], levels[n - 2]];
    else if (PREFIXES.has(levels[n - 2])) [prefix, device] = [levels[n - 2], levels[n - 3]];
    else return null;
    if (prefix === 'cmnd') return { ignore: 'tasmota command topic' };
    if (IGNORED.test(cmd)) return { ignore: `tasmota ${cmd} (no reading)` };
    return { deviceId: device, sensorType: 'tasmota', kind: kindOf(prefix, cmd), metric: snakeName(cmd) } satisfies Route;
  },
  decode(value, r, d) {
    if (r.kind === 'lwt') return availability(d, value);
    if (!isObj(value))
      return r.kind === 'bare' ? bareValue(d, r.metric ?? 'value', value) : d.fail('unsupported_shape', `tasmota ${r.metric} is not a JSON object`);
    let o = value as Obj;
    // STATUS 8 / 10 / 11 wrap the SENSOR / STATE object: {"StatusSNS": {...}}.
    const keys = Object.keys(o);
    if (keys.length === 1 && /^Status(?:SNS|STS)$/.test(keys[0]) && isObj(o[keys[0]])) o = o[keys[0]] as Obj;
    d.stateWords = true;
    d.numberArrays = true;
    const start = d.mNames.length;
    if (!walk(o, '', 0, d, true, NO_SKIP)) return false;
    d.dropMetrics(start, (name) => /(?:^|_)id$/.test(name)); // sensor ids (`"Id":"000005937190"`) are not measurements
    for (let i = start; i < d.mNames.length; i++) {
      const name = d.mNames[i];
      if (name.startsWith('energy_') && d.mUnits[i] === undefined) d.mUnits[i] = ENERGY_UNITS[name.slice(7).replace(/_\d+$/, '')];
    }
    return true;
  },
};
