/**
 * Home Assistant MQTT discovery (`ha-discovery`): what the announcements on
 * `homeassistant/<component>/[<node_id>/]<object_id>/config` teach, per normalizer.
 * A later message on an announced state topic becomes one Reading (every entity that
 * shares the topic adds its metric, with the announced unit), and a message on an
 * announced availability topic the availability Reading. Bounded: at most `max`
 * announcements are remembered; one more is counted in `dropped`, not learned. An
 * empty announcement removes its entity.
 */
import { discoveryTopic, readAnnouncement, type Announcement, type AvailabilitySpec } from '../../common/ha-discovery';
import { numericString, stateWord, type Draft } from '../draft';
import { atPath } from './user';
import { AVAILABILITY } from './common';
import type { Route, TopicDecoder } from './types';

export const HA_DISCOVERY = 'ha-discovery';

interface Entity {
  config: string;
  a: Announcement;
}

interface Learned {
  route: Route;
  entities: Entity[];
}

interface Availability {
  route: Route;
  specs: Array<AvailabilitySpec & { config: string }>;
}

export type LearnOutcome = { learned: boolean; reason: string };

export class DiscoveryDecoder implements TopicDecoder {
  readonly name = HA_DISCOVERY;
  readonly topics: readonly string[] = [];
  /** Announcements not learned because `max` were already remembered. */
  dropped = 0;
  private readonly configs = new Map<string, Announcement>();
  private readonly states = new Map<string, Learned>();
  private readonly avail = new Map<string, Availability>();

  constructor(readonly max: number) {}

  /** Number of announcements remembered. */
  get size(): number {
    return this.configs.size;
  }

  /** True for a discovery announcement topic. */
  isAnnouncement(topic: string): boolean {
    return discoveryTopic(topic) !== null;
  }

  /** Learns (or, with an empty body, forgets) one announcement. `body` is the parsed payload, undefined when empty. */
  learn(topic: string, body: unknown): LearnOutcome {
    const where = discoveryTopic(topic);
    if (where === null) return { learned: false, reason: 'not a discovery topic' };
    this.forget(topic);
    if (body === undefined) return { learned: false, reason: 'home assistant discovery: entity removed' };
    const a = readAnnouncement(where, body);
    if (typeof a === 'string') return { learned: false, reason: `home assistant discovery: ${a}` };
    if (this.configs.size >= this.max) {
      this.dropped++;
      return { learned: false, reason: `home assistant discovery: ${this.max} announcements already remembered (discoveryMax)` };
    }
    this.configs.set(topic, a);
    if (a.stateTopic !== undefined) {
      let s = this.states.get(a.stateTopic);
      if (s === undefined) {
        s = { route: { deviceId: a.deviceId, sensorType: 'homeassistant', kind: 'state', extra: a.stateTopic }, entities: [] };
        this.states.set(a.stateTopic, s);
      }
      s.entities.push({ config: topic, a });
    }
    for (const spec of a.availability) {
      let v = this.avail.get(spec.topic);
      if (v === undefined) {
        v = { route: { deviceId: a.deviceId, sensorType: AVAILABILITY, kind: 'availability', extra: spec.topic }, specs: [] };
        this.avail.set(spec.topic, v);
      }
      v.specs.push({ ...spec, config: topic });
    }
    return { learned: true, reason: `home assistant discovery: learned ${a.stateTopic ?? a.availability[0]?.topic}` };
  }

  private forget(config: string): void {
    const a = this.configs.get(config);
    if (a === undefined) return;
    this.configs.delete(config);
    if (a.stateTopic !== undefined) {
      const s = this.states.get(a.stateTopic);
      if (s) {
        s.entities = s.entities.filter((e) => e.config !== config);
        if (s.entities.length === 0) this.states.delete(a.stateTopic);
        else s.route = { ...s.route, deviceId: s.entities[0].a.deviceId };
      }
    }
    for (const spec of a.availability) {
      const v = this.avail.get(spec.topic);
      if (!v) continue;
      v.specs = v.specs.filter((x) => x.config !== config);
      if (v.specs.length === 0) this.avail.delete(spec.topic);
    }
  }

  /** The route of an announced state or availability topic, else null. One map lookup. */
  route(levels: readonly string[]): Route | null {
    return this.routeTopic(levels.join('/'));
  }

  routeTopic(topic: string): Route | null {
    if (this.configs.size === 0) return null;
    return this.states.get(topic)?.route ?? this.avail.get(topic)?.route ?? null;
  }

  decode(value: unknown, r: Route, d: Draft): boolean {
    if (r.kind === 'availability') return this.availability(value, r.extra!, d);
    const s = this.states.get(r.extra!);
    if (s === undefined) return d.ignore('home assistant discovery: entity removed');
    if (value === 'unavailable' || value === 'unknown' || value === '') return d.ignore(`home assistant state ${String(value)}`);
    for (const { a } of s.entities) {
      const v = a.path.length === 0 ? value : atPath(value, a.path);
      const n = number(v, a);
      if (n !== undefined) d.metric(a.metric, n, a.unit);
    }
    if (d.mNames.length === 0) return d.ignore('home assistant discovery: no numeric value in this state');
    return true;
  }

  private availability(value: unknown, topic: string, d: Draft): boolean {
    const v = this.avail.get(topic);
    if (v === undefined) return d.ignore('home assistant discovery: entity removed');
    const text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
    let online: boolean | undefined;
    for (const spec of v.specs) {
      if (text === spec.on) online = true;
      else if (text === spec.off) online = false;
      if (online !== undefined) break;
    }
    if (online === undefined)
      return d.fail('unsupported_shape', `availability payload ${text.slice(0, 40)} is neither the announced available nor not-available payload`);
    d.sensorType = AVAILABILITY;
    d.metric('online', online ? 1 : 0);
    d.tag('status', online ? 'online' : 'offline');
    return true;
  }
}

/** A state value as a number: numbers, booleans, numeric text, the announced on / off payloads, state words. */
function number(v: unknown, a: Announcement): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v !== 'string') return undefined;
  if (a.on !== undefined && v === a.on) return 1;
  if (a.off !== undefined && v === a.off) return 0;
  return numericString(v) ?? stateWord(v);
}
