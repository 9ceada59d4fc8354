/**
 * Ruuvi Gateway: `ruuvi/<gateway mac>/<tag mac>` with the raw advertisement in `data`
 * (RuuviTag data formats 5 and 3 are decoded: temperature, humidity, pressure,
 * acceleration, battery voltage...), or the fields the gateway decoded itself;
 * `rssi` as a metric, `ts` (epoch seconds) as the time. The tag is the device.
 * `ruuvi/<gateway mac>/gw_status` is the gateway's availability.
 */
import { addValue, isObj, type Obj } from '../walk';
import { snakeName, type Draft } from '../draft';
import { availability } from './common';
import type { TopicDecoder } from './types';

const MANUFACTURER = 'FF9904';
const GATEWAY_FIELDS = new Set(['gw_mac', 'gwts', 'ts', 'data', 'coords', 'aoa', 'id', 'rssi', 'data_format', 'mac']);
/** Names the gateway's own decoding uses -> the names (and units) of the raw decoding above. */
const DECODED: Readonly<Record<string, [string, string]>> = {
  temperature: ['temperature', '°C'],
  humidity: ['humidity', '%'],
  pressure: ['pressure', 'Pa'],
  voltage: ['voltage', 'V'],
  accelX: ['acceleration_x', 'g'],
  accelY: ['acceleration_y', 'g'],
  accelZ: ['acceleration_z', 'g'],
  txPower: ['tx_power', 'dBm'],
};

/** Decodes RuuviTag data format 5 (RAWv2) or 3 (RAWv1) from the advertisement hex; false when it is neither. */
export function ruuviAdvertisement(d: Draft, hex: string): boolean {
  const at = hex.toUpperCase().indexOf(MANUFACTURER);
  if (at < 0 || !/^[0-9A-Fa-f]+$/.test(hex)) return false;
  const b = Buffer.from(hex.slice(at + MANUFACTURER.length), 'hex');
  if (b[0] === 5 && b.length >= 18) {
    const t = b.readInt16BE(1),
      h = b.readUInt16BE(3),
      p = b.readUInt16BE(5),
      power = b.readUInt16BE(13);
    if (t !== -32768) d.metric('temperature', Math.round(t * 5) / 1000, '°C');
    if (h !== 65535) d.metric('humidity', Math.round(h * 25) / 10000, '%');
    if (p !== 65535) d.metric('pressure', p + 50000, 'Pa');
    ['x', 'y', 'z'].forEach((axis, i) => {
      const a = b.readInt16BE(7 + 2 * i);
      if (a !== -32768) d.metric(`acceleration_${axis}`, a / 1000, 'g');
    });
    if (power >> 5 !== 2047) d.metric('voltage', ((power >> 5) + 1600) / 1000, 'V');
    if ((power & 31) !== 31) d.metric('tx_power', (power & 31) * 2 - 40, 'dBm');
    if (b[15] !== 255) d.metric('movement_counter', b[15]);
    if (b.readUInt16BE(16) !== 65535) d.metric('measurement_sequence_number', b.readUInt16BE(16));
    return true;
  }
  if (b[0] === 3 && b.length >= 14) {
    d.metric('humidity', b[1] / 2, '%');
    const whole = b[2] & 0x7f;
    d.metric('temperature', (b[2] & 0x80 ? -1 : 1) * (whole + b[3] / 100), '°C');
    d.metric('pressure', b.readUInt16BE(4) + 50000, 'Pa');
    ['x', 'y', 'z'].forEach((axis, i) => d.metric(`acceleration_${axis}`, b.readInt16BE(6 + 2 * i) / 1000, 'g'));
    d.metric('voltage', b.readUInt16BE(12) / 1000, 'V');
    return true;
  }
  return false;
}

export const ruuvi: TopicDecoder = {
  name: 'ruuvi',
  topics: ['ruuvi/#'],
  route(levels) {
    if (levels[0] !== 'ruuvi' || levels.length !== 3) return levels[0] === 'ruuvi' ? { ignore: 'ruuvi topic without a tag' } : null;
    if (levels[2] === 'gw_status') return { deviceId: levels[1], sensorType: 'ruuvi', kind: 'availability' };
    return { deviceId: levels[2], sensorType: 'ruuvi', kind: 'tag' };
  },
  decode(value, r, d) {
    if (r.kind === 'availability') return availability(d, value);
    if (!isObj(value)) return d.fail('unsupported_shape', 'ruuvi gateway message is not a JSON object');
    const o = value as Obj;
    d.tsRaw = o.ts ?? o.gwts;
    // Gateways that decode on board send the values beside (or instead of) `data`.
    const raw = typeof o.data === 'string' && ruuviAdvertisement(d, o.data);
    if (!raw) {
      if (o.dataFormat === undefined && o.temperature === undefined) return d.fail('unsupported_shape', 'ruuvi advertisement is not data format 3 or 5');
      for (const key in o) {
        if (!d.countKey()) return false;
        const [name, unit] = DECODED[key] ?? [snakeName(key), undefined];
        if (name !== '' && !GATEWAY_FIELDS.has(name) && !addValue(d, name, o[key], unit)) return false;
      }
    }
    if (typeof o.rssi === 'number') d.metric('rssi', o.rssi, 'dBm');
    return true;
  },
};
