/**
 * ChirpStack v4 (and v3.x JSON): `application/<app id>/device/<dev eui>/event/up`
 * with the codec's `object` (v3: `object` or the `objectJSON` string), `rssi` / `snr`
 * of the best gateway, `f_cnt`, `ts` from `time`; `.../event/status` gives `battery`
 * and `margin`. The payload's `deviceInfo.devEui` (v3 `devEUI`) must be the topic's.
 * Commands (`.../command/...`) and other events are ignored.
 */
import { idValue } from '../draft';
import { isObj } from '../walk';
import { decoded, radio } from './lorawan';
import type { TopicDecoder } from './types';

export const chirpstack: TopicDecoder = {
  name: 'chirpstack',
  topics: ['application/+/device/+/event/up', 'application/+/device/+/event/status'],
  route(levels) {
    if (levels[0] !== 'application' || levels[2] !== 'device' || levels.length < 5) return null;
    const kind = levels.length === 6 && levels[4] === 'event' ? levels[5] : levels.length === 5 && levels[4] === 'rx' ? 'up' : '';
    if (kind !== 'up' && kind !== 'status') return { ignore: 'chirpstack topic without an uplink or status' };
    return { deviceId: levels[3], sensorType: 'lorawan', kind };
  },
  decode(value, r, d) {
    if (!isObj(value)) return d.fail('unsupported_shape', 'chirpstack event is not a JSON object');
    const info = isObj(value.deviceInfo) ? value.deviceInfo : undefined;
    const eui = idValue(info?.devEui ?? value.devEUI);
    if (eui !== undefined) d.deviceId = eui.toLowerCase() === r.deviceId.toLowerCase() ? r.deviceId : eui;
    d.tsRaw = value.time;
    if (r.kind === 'status') {
      const level = value.batteryLevel ?? value.battery_level;
      if (typeof level === 'number') d.metric('battery', level, '%');
      if (typeof value.margin === 'number') d.metric('margin', value.margin, 'dB');
      if (typeof value.externalPowerSource === 'boolean') d.metric('external_power', value.externalPowerSource ? 1 : 0);
      return true;
    }
    let obj = value.object;
    if (obj === undefined && typeof value.objectJSON === 'string' && value.objectJSON !== '') {
      try {
        obj = JSON.parse(value.objectJSON);
      } catch {
        return d.fail('invalid_json', 'chirpstack objectJSON is not valid JSON');
      }
    }
    if (!decoded(d, obj)) return false;
    radio(d, value.rxInfo);
    if (typeof value.fCnt === 'number') d.metric('f_cnt', value.fCnt);
    if (d.tsRaw === undefined && Array.isArray(value.rxInfo) && isObj(value.rxInfo[0])) d.tsRaw = value.rxInfo[0].time ?? value.rxInfo[0].gwTime;
    return true;
  },
};
