/**
 * The firmware / gateway decoder registry. Topics are offered to each decoder in
 * this order (after the node's topic templates); the first Route wins. To add an
 * ecosystem: write `<name>.ts` exporting a TopicDecoder (see types.ts and
 * docs/decoders.md) and list it here, or call registerTopicDecoder() at start-up.
 */
import { chirpstack } from './chirpstack';
import { esphome } from './esphome';
import { generic } from './generic';
import { homeassistant } from './homeassistant';
import { owntracks } from './owntracks';
import { ruuvi } from './ruuvi';
import { shelly } from './shelly';
import { shellyGen2 } from './shelly-gen2';
import { tasmota } from './tasmota';
import { ttn } from './ttn';
import type { TopicDecoder } from './types';
import { zigbee2mqtt } from './zigbee2mqtt';
import { zwavejs } from './zwavejs';

export type { DecodeContext, Ignore, Route, TopicDecoder } from './types';

/**
 * Most specific first: decoders that own a first level (`zigbee2mqtt`, `shellies`,
 * `v3`...) before the ones that recognise a shape anywhere (Tasmota's `tele/<t>/SENSOR`,
 * Shelly Gen2's `<id>/status/<component>`, ESPHome's `<node>/sensor/<id>/state`);
 * `generic` last.
 */
export const TOPIC_DECODERS: TopicDecoder[] = [
  zigbee2mqtt,
  shelly,
  ttn,
  chirpstack,
  homeassistant,
  owntracks,
  ruuvi,
  zwavejs,
  tasmota,
  shellyGen2,
  esphome,
  generic,
];

/** Adds a decoder before `generic` (from settings.js or a plugin); replaces one of the same name. */
export function registerTopicDecoder(dec: TopicDecoder): void {
  const at = TOPIC_DECODERS.findIndex((x) => x.name === dec.name);
  if (at >= 0) TOPIC_DECODERS[at] = dec;
  else TOPIC_DECODERS.splice(TOPIC_DECODERS.length - 1, 0, dec);
}

export const topicDecoderByName = (name: string): TopicDecoder | undefined => TOPIC_DECODERS.find((x) => x.name === name);

/** Every ecosystem's default subscriptions, de-duplicated (what the shipped telemetry flow subscribes to). */
export function defaultSubscriptions(): string[] {
  return [...new Set(TOPIC_DECODERS.flatMap((x) => x.topics))];
}
