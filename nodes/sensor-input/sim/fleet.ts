/**
 * A fleet of simulated devices: schedules every device (periodic ones each
 * interval with a little clock drift, event ones as a Poisson process), asks its
 * generator for the next payload, and injects faults. Pure: the caller passes
 * the clock to `step`, so tests drive time directly.
 */
import { expDelay, uniform, type Rng } from './rng';
import type { Profile } from './profile';
import { malform } from './faults';
import { profile as profileOf, type ProfileName } from './profiles';

export interface FaultRates {
  /** Per due message: probability that the device goes silent for 3-20 intervals. */
  dropout: number;
  /** Per message: probability of one value out of its physical range. */
  spike: number;
  /** Per message: probability of a truncated, mistyped or garbage payload. */
  malformed: number;
}

export interface FleetOptions {
  profiles: ProfileName[];
  /** Devices per profile, 1-100. */
  devices: number;
  /** Seconds between readings of a periodic device. */
  interval: number;
  /** Mean seconds between events of an event device. */
  eventMean: number;
  /** Prepended to each seed-like device id. */
  idPrefix: string;
  faults: FaultRates;
  rng: Rng;
}

/** What the node sends: the topic and the exact bytes a device would publish. */
export interface FleetMessage {
  topic: string;
  payload: string;
  sim: { profile: ProfileName; deviceId: string; fault?: string };
}

interface Device {
  profileName: ProfileName;
  profile: Profile;
  id: string;
  state: unknown;
  nextAt: number;
  silentUntil: number;
}

export class Fleet {
  private readonly devices: Device[] = [];

  constructor(
    private readonly opts: FleetOptions,
    now: number,
  ) {
    for (const name of opts.profiles) {
      const p = profileOf(name);
      for (let i = 1; i <= opts.devices; i++) {
        const id = `${opts.idPrefix}${p.defaultId(i)}`;
        // Periodic devices spread their first reading over the first interval.
        const first = p.timing === 'periodic' ? uniform(opts.rng, 0, opts.interval * 1000) : this.eventGap();
        this.devices.push({ profileName: name, profile: p, id, state: p.init(id, now, opts.rng), nextAt: now + first, silentUntil: 0 });
      }
    }
  }

  get size(): number {
    return this.devices.length;
  }

  /** Device ids, in creation order. */
  ids(): string[] {
    return this.devices.map((d) => d.id);
  }

  /** Time of the next due message, for callers that sleep until then. */
  nextDue(): number {
    return this.devices.reduce((min, d) => Math.min(min, d.nextAt), Infinity);
  }

  /** Messages of every device due at `now`; at most one per device, missed slots are skipped. */
  step(now: number): FleetMessage[] {
    const out: FleetMessage[] = [];
    const { rng, faults } = this.opts;
    for (const d of this.devices) {
      if (d.nextAt > now) continue;
      d.nextAt += d.profile.timing === 'periodic' ? this.opts.interval * 1000 * uniform(rng, 0.97, 1.03) : this.eventGap();
      if (d.nextAt <= now) d.nextAt = now + this.opts.interval * 1000 * uniform(rng, 0.5, 1);
      if (d.silentUntil) {
        if (now < d.silentUntil) continue;
        d.silentUntil = 0;
        d.profile.reboot?.(d.state, now, rng);
      }
      if (faults.dropout > 0 && rng.next() < faults.dropout) {
        d.silentUntil = now + uniform(rng, 3, 20) * this.opts.interval * 1000;
        continue;
      }
      const msg = d.profile.next(d.state, now, rng);
      const sim: FleetMessage['sim'] = { profile: d.profileName, deviceId: d.id };
      let payload = msg.payload;
      if (faults.spike > 0 && d.profile.spike && rng.next() < faults.spike) {
        payload = d.profile.spike(payload, rng);
        sim.fault = 'spike';
      }
      let text: string;
      if (faults.malformed > 0 && rng.next() < faults.malformed) {
        const bad = malform(payload, rng);
        text = bad.text;
        sim.fault = `malformed:${bad.kind}`;
      } else {
        text = JSON.stringify(payload);
      }
      out.push({ topic: msg.topic, payload: text, sim });
    }
    return out;
  }

  /** The seed's motion service waits at least 2 s between detections. */
  private eventGap(): number {
    const mean = this.opts.eventMean * 1000;
    return Math.max(Math.min(2000, mean / 4), expDelay(this.opts.rng, mean));
  }
}
