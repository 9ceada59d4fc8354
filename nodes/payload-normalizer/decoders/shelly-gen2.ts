/**
 * Shelly Gen2+ (Plus, Pro, Gen3, Gen4): `<prefix>/status/<component>:<n>`,
 * `<prefix>/events/rpc` (NotifyStatus, NotifyFullStatus, NotifyEvent) and
 * `<prefix>/online`; the prefix (the device id by default) is the device.
 * Components become `<component>_<n>_<field>` metrics (`switch_0_apower`,
 * `switch_0_aenergy_total`); sensor components their plain name (`temperature`,
 * `humidity`, `battery`). `<prefix>/rpc` (requests) and `/command` are ignored.
 */
import { snakeName, stateWord, type Draft } from '../draft';
import { isObj, type Obj } from '../walk';
import { availability, join } from './common';
import type { TopicDecoder } from './types';

const COMPONENT_RE = /^([a-z][a-z0-9_]*)(?::(\d+))?$/;
const UNITS: Readonly<Record<string, string>> = {
  apower: 'W',
  act_power: 'W',
  aprt_power: 'VA',
  voltage: 'V',
  current: 'A',
  freq: 'Hz',
  total: 'Wh',
  total_act_energy: 'Wh',
  total_act_ret_energy: 'Wh',
  temperature: '°C',
  humidity: '%',
  battery: '%',
  illuminance: 'lx',
  current_pos: '%',
  brightness: '%',
  uptime: 's',
  rssi: 'dBm',
  battery_voltage: 'V',
};
/** Fields that are configuration, identity or history, not measurements. */
const SKIP = new Set([
  'id',
  'source',
  'tf',
  'by_minute',
  'minute_ts',
  'errors',
  'flags',
  'ts',
  'mac',
  'cfg_rev',
  'kvs_rev',
  'schedule_rev',
  'webhook_rev',
  'time',
  'unixtime',
  'available_updates',
  'restart_required',
  'reset_reason',
  'last_sync_ts',
  'fs_size',
  'ram_size',
  'offset',
  'sta_ip',
  'ssid',
  'status',
  'move_timeout',
  'move_started_at',
  'pos_control',
  'last_direction',
]);
/** Sensor components: their main value is the metric, named after the component. */
const MAIN: Readonly<Record<string, string>> = { temperature: 'tc', humidity: 'rh', illuminance: 'lux', voltmeter: 'voltage', pressure: 'value' };

function leaves(o: Obj, prefix: string, d: Draft, depth: number): void {
  for (const key in o) {
    if (!d.countKey() || depth > 3) return;
    const k = snakeName(key);
    if (k === '' || SKIP.has(k)) continue;
    const v = o[key];
    // `temperature: {tC, tF}` inside a switch: the Celsius value is the temperature.
    const name = k === 'tc' ? prefix.slice(0, -1) : prefix + k;
    if (isObj(v)) leaves(v, `${name}_`, d, depth + 1);
    else if (typeof v === 'number' && Number.isFinite(v)) d.metric(name, v, UNITS[k === 'tc' ? 'temperature' : k]);
    else if (typeof v === 'boolean') d.metric(name, v ? 1 : 0);
    else if (typeof v === 'string' && stateWord(v) !== undefined) d.metric(name, stateWord(v)!);
  }
}

/** One component's status object into metrics. */
export function component(d: Draft, key: string, o: Obj): void {
  const m = COMPONENT_RE.exec(key);
  if (m === null) return;
  const [, comp, idx] = m;
  const suffix = idx === undefined || idx === '0' ? '' : `_${idx}`;
  if (MAIN[comp] !== undefined) {
    const v = o[Object.keys(o).find((k) => snakeName(k) === MAIN[comp]) ?? ''];
    if (typeof v === 'number' && Number.isFinite(v)) d.metric(comp + suffix, v, UNITS[comp]);
    return;
  }
  if (comp === 'devicepower') {
    const b = isObj(o.battery) ? o.battery : {};
    if (typeof b.percent === 'number') d.metric(`battery${suffix}`, b.percent, '%');
    if (typeof b.V === 'number') d.metric(`battery_voltage${suffix}`, b.V, 'V');
    if (isObj(o.external) && typeof o.external.present === 'boolean') d.metric(`external_power${suffix}`, o.external.present ? 1 : 0);
    return;
  }
  if (comp === 'sys' || comp === 'wifi') return leaves(o, comp === 'sys' ? 'sys_' : 'wifi_', d, 1);
  if (comp === 'cloud' || comp === 'mqtt' || comp === 'ble' || comp === 'ws' || comp === 'eth' || comp === 'ui' || comp === 'knx' || comp === 'matter') return;
  leaves(o, `${comp}_${idx ?? 0}_`, d, 1);
}

export const shellyGen2: TopicDecoder = {
  name: 'shelly-gen2',
  topics: ['+/status/#', '+/events/rpc', '+/online'],
  route(levels) {
    const n = levels.length;
    const last = levels[n - 1];
    if (n >= 2 && last === 'online') return { deviceId: join(levels, 0, n - 1), sensorType: 'shelly', kind: 'availability' };
    if (n >= 3 && levels[n - 2] === 'events' && last === 'rpc') return { deviceId: join(levels, 0, n - 2), sensorType: 'shelly', kind: 'rpc' };
    if (n >= 3 && levels[n - 2] === 'status' && COMPONENT_RE.test(last))
      return { deviceId: join(levels, 0, n - 2), sensorType: 'shelly', kind: 'status', extra: last };
    if (n === 2 && (last === 'rpc' || last === 'command')) return { ignore: 'shelly rpc request or command' };
    return null;
  },
  decode(value, r, d) {
    if (r.kind === 'availability') return availability(d, value);
    if (!isObj(value)) return d.fail('unsupported_shape', `shelly ${r.kind} is not a JSON object`);
    if (r.kind === 'status') {
      component(d, r.extra!, value);
      return d.mNames.length > 0 ? true : d.ignore(`shelly ${r.extra} status without measurements`);
    }
    const params = isObj(value.params) ? value.params : undefined;
    if (params === undefined || typeof value.method !== 'string') return d.fail('unsupported_shape', 'shelly events/rpc without method and params');
    if (typeof params.ts === 'number') d.tsRaw = params.ts;
    if (value.method === 'NotifyEvent') {
      const ev = Array.isArray(params.events) ? (params.events.find((e) => isObj(e) && typeof e.event === 'string') as Obj | undefined) : undefined;
      if (ev === undefined) return d.ignore('shelly NotifyEvent without events');
      const type = snakeName(ev.event as string);
      if (type === '') return d.fail('unsupported_shape', 'shelly event without a usable name');
      d.event = { id: '', type, data: { component: String(ev.component ?? '').slice(0, 32) } };
      if (typeof ev.ts === 'number') d.tsRaw = ev.ts;
      return true;
    }
    if (value.method !== 'NotifyStatus' && value.method !== 'NotifyFullStatus') return d.ignore(`shelly ${String(value.method).slice(0, 30)}`);
    for (const key in params) if (key !== 'ts' && isObj(params[key])) component(d, key, params[key] as Obj);
    // cloud / mqtt / script notifications carry no measurement.
    return d.mNames.length > 0 ? true : d.ignore('shelly status without measurements');
  },
};
