/**
 * Following Home Assistant MQTT discovery in the sensor-input (MQTT mode): an
 * announcement it receives (`homeassistant/<component>/[<node_id>/]<object_id>/config`)
 * names a state topic and availability topics; those the node's own filters do not
 * cover are subscribed, with the node's QoS and share group, and unsubscribed when
 * no announcement names them any more (an empty retained announcement removes its
 * entity). Command topics, wildcards and `$` topics are refused. Bounded: at most
 * `max` announcements followed and `max` topics subscribed; what the bound stops is
 * counted and warned about.
 *
 * `DiscoverySubscriptions` decides (pure); `DiscoveryFollower` applies its decisions
 * to the MQTT connection.
 */
import { announcedTopics, DISCOVERY_FILTERS } from '../common/ha-discovery';
import { metrics } from '../common/metrics';
import { covered, filterError } from '../common/topic';

/** What one announcement message changes. */
export interface DiscoveryChange {
  subscribe: string[];
  unsubscribe: string[];
  /** Topics refused, each with the reason in brackets. */
  refused: string[];
  /** Topics not subscribed because the bound was reached. */
  dropped: string[];
}

interface Followed {
  /** The announcement's wanted and refused topics, to tell a repeat (a reconnect) from a change. */
  sig: string;
  held: string[];
  missed: number;
}

/** Why an announced topic may not be subscribed, or undefined when it may. */
export function refusal(topic: string, commands: readonly string[]): string | undefined {
  if (/[+#]/.test(topic)) return 'a wildcard';
  if (topic.startsWith('$')) return 'a $ topic';
  if (commands.includes(topic)) return 'a command topic';
  return filterError(topic);
}

export class DiscoverySubscriptions {
  /** Announced topics refused (wildcards, `$` topics, command topics), counted once per announcement change. */
  refused = 0;
  /** Announced topics not subscribed because `max` were. */
  dropped = 0;
  /** Topic -> the announcements that name it. */
  private readonly holders = new Map<string, Set<string>>();
  private readonly followed = new Map<string, Followed>();

  /** `filters`: the node's own filters (topics they cover need no subscription of their own). */
  constructor(
    private readonly filters: readonly string[],
    readonly max: number,
  ) {}

  /** Topics subscribed because of announcements. */
  get size(): number {
    return this.holders.size;
  }

  /** Those topics, to subscribe again on a new connection. */
  topics(): string[] {
    return [...this.holders.keys()];
  }

  /** Reads one received message: null when it is no announcement, else what to change. */
  take(topic: string, payload: unknown): DiscoveryChange | null {
    const found = announcedTopics(topic, payload);
    if (found === null) return null;
    const change: DiscoveryChange = { subscribe: [], unsubscribe: [], refused: [], dropped: [] };
    const wanted: string[] = [];
    for (const t of found.listen) {
      if (this.filters.some((f) => covered(f, t))) continue;
      const why = refusal(t, found.commands);
      if (why) change.refused.push(`${t} (${why})`);
      else wanted.push(t);
    }
    const sig = JSON.stringify([wanted, change.refused]);
    const before = this.followed.get(topic);
    // The same announcement again (retained messages come back on every subscribe): nothing new.
    if (before?.sig === sig && before.missed === 0) return { ...change, refused: [] };
    const keep = new Set(wanted);
    for (const t of before?.held ?? []) if (!keep.has(t)) this.release(topic, t, change);
    const held = before ? before.held.filter((t) => keep.has(t)) : [];
    const room = before !== undefined || this.followed.size < this.max;
    for (const t of wanted) {
      if (held.includes(t)) continue;
      const holders = this.holders.get(t);
      if (holders && room) {
        holders.add(topic);
        held.push(t);
      } else if (!room || this.holders.size >= this.max) {
        change.dropped.push(t);
      } else {
        this.holders.set(t, new Set([topic]));
        held.push(t);
        change.subscribe.push(t);
      }
    }
    this.refused += change.refused.length;
    this.dropped += change.dropped.length;
    if ((held.length > 0 || change.dropped.length > 0 || change.refused.length > 0) && room) {
      this.followed.set(topic, { sig, held, missed: change.dropped.length });
    } else this.followed.delete(topic);
    return change;
  }

  private release(announcement: string, topic: string, change: DiscoveryChange): void {
    const holders = this.holders.get(topic);
    if (!holders) return;
    holders.delete(announcement);
    if (holders.size > 0) return;
    this.holders.delete(topic);
    change.unsubscribe.push(topic);
  }
}

/** The part of an mqtt.js client the follower uses. */
export interface SubscribingClient {
  subscribe(topics: Record<string, { qos: 0 | 1 | 2 }>, cb: (err: Error | null | undefined, granted?: Array<{ topic: string; qos: number }>) => void): unknown;
  unsubscribe(topics: string[], cb: (err?: Error) => void): unknown;
}

export interface FollowerSettings {
  /** The node's own topic filters. */
  topics: readonly string[];
  qos: 0 | 1 | 2;
  /** Share group of the node's subscriptions ('' for none). */
  shareGroup: string;
  /** Most announcements followed and most topics subscribed. */
  max: number;
}

/** Applies DiscoverySubscriptions' decisions to an MQTT connection, and reports them. */
export class DiscoveryFollower {
  readonly subs: DiscoverySubscriptions;
  /** Subscriptions of announced topics the broker refused (SUBACK failure code). */
  brokerRefused = 0;
  private full = false;

  constructor(
    private readonly cfg: FollowerSettings,
    private readonly warn: (text: string) => void,
  ) {
    this.subs = new DiscoverySubscriptions(cfg.topics, cfg.max);
    if (!cfg.topics.some((f) => covered(f, 'homeassistant/sensor/o/config') || covered(f, 'homeassistant/sensor/n/o/config'))) {
      warn(`following Home Assistant discovery, but no topic filter covers the announcements (add ${DISCOVERY_FILTERS.join(' and ')})`);
    }
  }

  private filter(topic: string): string {
    return this.cfg.shareGroup ? `$share/${this.cfg.shareGroup}/${topic}` : topic;
  }

  /** A received message: an announcement may change the subscriptions (on `client` when connected). */
  take(client: SubscribingClient | undefined, topic: string, payload: unknown): void {
    const change = this.subs.take(topic, payload);
    if (change === null) return;
    if (change.refused.length) this.warn(`${topic}: not subscribing to ${change.refused.join(', ')}`);
    if (change.dropped.length) {
      metrics.boundDropped.inc({ node: 'sensor-input', bound: 'discoveryTopicsMax' }, change.dropped.length);
      if (!this.full)
        this.warn(`${topic}: not subscribing to ${change.dropped.join(', ')}: ${this.cfg.max} announced topics already followed (discoveryTopicsMax)`);
      this.full = true;
    } else if (this.subs.size < this.cfg.max) this.full = false;
    if (!client) return; // subscribed by resubscribe() on the next connection
    if (change.unsubscribe.length)
      client.unsubscribe(
        change.unsubscribe.map((t) => this.filter(t)),
        () => undefined,
      );
    if (change.subscribe.length) this.subscribe(client, change.subscribe);
  }

  /** After a (re)connection: every followed topic again. */
  resubscribe(client: SubscribingClient): void {
    const topics = this.subs.topics();
    if (topics.length) this.subscribe(client, topics);
  }

  private subscribe(client: SubscribingClient, topics: string[]): void {
    const filters = topics.map((t) => this.filter(t));
    client.subscribe(Object.fromEntries(filters.map((f) => [f, { qos: this.cfg.qos }])), (err, granted) => {
      const codes = (err as { packet?: { granted?: number[] } } | null | undefined)?.packet?.granted;
      const refused = codes ? filters.filter((_, i) => codes[i] >= 0x80) : (granted ?? []).filter((g) => g.qos >= 0x80).map((g) => g.topic);
      if (err && !codes) this.warn(`subscribing to announced topics failed: ${err.message}`);
      if (refused.length) {
        this.brokerRefused += refused.length;
        this.warn(`broker refused announced ${refused.join(', ')} (not authorised?)`);
      }
    });
  }

  /** Health figures. */
  figures(): Record<string, number> {
    return {
      announcedTopics: this.subs.size,
      announcedRefused: this.subs.refused + this.brokerRefused,
      dropped_discoveryTopicsMax: this.subs.dropped,
    };
  }
}
