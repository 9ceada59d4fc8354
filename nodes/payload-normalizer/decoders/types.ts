/**
 * The shape of a firmware / gateway decoder ("ecosystem"): one small file per
 * ecosystem in this folder, listed in index.ts. See docs/decoders.md.
 *
 * A decoder is asked twice: `route()` once per distinct topic (the answer is
 * cached), then `decode()` per message with the parsed payload. The topic is
 * the authority on the device: a payload device id that differs from
 * `route.deviceId` is rejected (`device_id_mismatch`).
 */
import type { Draft } from '../draft';

/** What a decoder learned from a topic. */
export interface Route {
  /** The device the topic names; '' when the payload names it (decode() sets `d.deviceId`). */
  deviceId: string;
  /** Sensor type (InfluxDB measurement) unless decode() sets `d.sensorType`. */
  sensorType: string;
  /** Decoder-specific message kind, e.g. `state`, `availability`, `sensor`. */
  kind: string;
  /** Metric name for a bare value on this topic. */
  metric?: string;
  /** Anything else a decoder keeps from the topic (component, channel...). */
  extra?: string;
}

/** A topic the decoder owns but that carries no reading (commands, bridge chatter): counted and dropped. */
export interface Ignore {
  ignore: string;
}

/** What decoders need from the normalizer's configuration. */
export interface DecodeContext {
  /** Device event type (`MOTION_DETECTED`) -> snake_case type (`motion_detected`), after the configured map. */
  eventType(raw: string): string;
}

export interface TopicDecoder {
  /** Short name: the `decoder` label of its Readings, its family, and the name to pin it by. */
  readonly name: string;
  /** The MQTT filters a flow subscribes to for this ecosystem's default layout (never command topics). */
  readonly topics: readonly string[];
  /** Topic split on `/`: a Route, an Ignore, or null when the topic is not this ecosystem's. */
  route(levels: readonly string[]): Route | Ignore | null;
  /**
   * For topics nobody routed: a Route when the payload itself shows the ecosystem
   * (a Zigbee2MQTT object under a custom base topic). Optional; must be cheap.
   */
  guess?(levels: readonly string[], value: unknown): Route | null;
  /**
   * Fills the draft from the parsed payload (a number, boolean, string or plain
   * object). Returns false with `d.fail(code, text)` to reject, or with
   * `d.ignore(reason)` to drop a message that carries no reading.
   */
  decode(value: unknown, route: Route, d: Draft, ctx: DecodeContext): boolean;
}

export const isIgnore = (r: Route | Ignore | null): r is Ignore => r !== null && (r as Ignore).ignore !== undefined;
