/**
 * The Things Stack v3 (TTN, TTI): `v3/<app>@<tenant>/devices/<device id>/up`.
 * Metrics from `uplink_message.decoded_payload`, plus `rssi` / `snr` of the best
 * gateway and `f_cnt`; `ts` is `received_at`. `end_device_ids.device_id` must be the
 * topic's device. Downlink topics (`.../down/...`) and the rest are ignored.
 */
import { idValue } from '../draft';
import { isObj } from '../walk';
import { decoded, radio } from './lorawan';
import type { TopicDecoder } from './types';

export const ttn: TopicDecoder = {
  name: 'ttn',
  topics: ['v3/+/devices/+/up'],
  route(levels) {
    if (levels[0] !== 'v3' || levels.length < 4 || levels[2] !== 'devices') return null;
    if (levels.length !== 5 || levels[4] !== 'up') return { ignore: 'the things stack topic without an uplink' };
    return { deviceId: levels[3], sensorType: 'lorawan', kind: 'up' };
  },
  decode(value, r, d) {
    if (!isObj(value)) return d.fail('unsupported_shape', 'the things stack uplink is not a JSON object');
    if (isObj(value.end_device_ids)) d.deviceId = idValue(value.end_device_ids.device_id);
    const up = value.uplink_message;
    if (!isObj(up)) return d.fail('unsupported_shape', 'the things stack message has no uplink_message');
    d.tsRaw = value.received_at ?? up.received_at;
    if (!decoded(d, up.decoded_payload)) return false;
    radio(d, up.rx_metadata);
    if (typeof up.f_cnt === 'number') d.metric('f_cnt', up.f_cnt);
    return true;
  },
};
