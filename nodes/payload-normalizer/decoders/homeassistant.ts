/**
 * Home Assistant MQTT Statestream with base topic `homeassistant`:
 * `homeassistant/<domain>/<object id>/state` (and numeric attribute topics such as
 * `.../current_temperature`). The device is the entity id (`sensor.outdoor_temperature`),
 * the metric the object id's last word when it names a quantity (`temperature`), else
 * the domain. Discovery `config` topics and text attributes are ignored.
 */
import { DISCOVERY_FILTERS } from '../../common/ha-discovery';
import { snakeName } from '../draft';
import { bareValue } from './common';
import type { TopicDecoder } from './types';

/** Object id endings that name the quantity (`kitchen_humidity` -> `humidity`). */
const QUANTITIES = new Set([
  'temperature',
  'humidity',
  'pressure',
  'battery',
  'illuminance',
  'lux',
  'co2',
  'voltage',
  'power',
  'energy',
  'current',
  'pm25',
  'pm10',
  'moisture',
  'rssi',
  'speed',
  'level',
  'position',
]);
const TEXT_ATTRIBUTES = new Set([
  'config',
  'set',
  'command',
  'friendly_name',
  'unit_of_measurement',
  'device_class',
  'icon',
  'last_updated',
  'last_changed',
  'last_reported',
  'attribution',
  'state_class',
  'entity_picture',
  'supported_features',
  'options',
  'editable',
  'id',
  'user_id',
  'device_trackers',
  'entity_id',
  'hvac_modes',
  'preset_modes',
  'fan_modes',
  'source_list',
  'effect_list',
  'color_mode',
  'supported_color_modes',
]);

export const homeassistant: TopicDecoder = {
  name: 'homeassistant',
  // The discovery announcements too: the normalizer learns the announced topics (decoders/ha-discovery.ts).
  topics: ['homeassistant/+/+/state', ...DISCOVERY_FILTERS],
  route(levels) {
    if (levels[0] !== 'homeassistant' || levels.length < 4) return null;
    if (levels.length !== 4 || TEXT_ATTRIBUTES.has(levels[3])) return { ignore: 'home assistant discovery or text attribute' };
    const [, domain, object] = levels;
    const entity = `${domain}.${object}`;
    if (levels[3] !== 'state') return { deviceId: entity, sensorType: 'homeassistant', kind: 'attribute', metric: snakeName(levels[3]) };
    const i = object.lastIndexOf('_');
    const word = object.slice(i + 1);
    return { deviceId: entity, sensorType: 'homeassistant', kind: 'state', metric: QUANTITIES.has(word) ? word : snakeName(domain) };
  },
  decode(value, r, d) {
    if (value === 'unavailable' || value === 'unknown' || value === '') return d.ignore(`home assistant state ${String(value)}`);
    if (r.kind === 'attribute' && typeof value !== 'number' && typeof value !== 'boolean') return d.ignore('home assistant text attribute');
    return bareValue(d, r.metric!, value);
  },
};
