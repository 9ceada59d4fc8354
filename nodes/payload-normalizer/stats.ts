/**
 * Counts outcomes for the node status and the Prometheus counters. Counts are kept
 * locally and flushed to prom-client at most once a second, so the 20,000 msg/s
 * path does not hash label sets per message.
 */
import { translator, type Translate } from '../common/i18n';
import { metrics } from '../common/metrics';
import type { Outcome } from './normalizer';
import type { DiscoveryDecoder } from './decoders/ha-discovery';
import type { BoundName, SeriesBounds } from './series-bounds';

/** The en-US catalog (tests, tools): the node passes the runtime's translator. */
const english: Translate = translator({}, __dirname, 'payload-normalizer');

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

export class NormalizerStats {
  ok = 0;
  rejected = 0;
  duplicates = 0;
  rateLimited = 0;
  /** Messages on firmware topics that carry no reading (command echoes, bridge chatter). */
  ignored = 0;
  /** Rejects since the last flush (the status turns yellow while there are some). */
  recentRejects = 0;
  lastReject = '';
  private readonly received = new Map<string, number>();
  private readonly normalized = new Map<string, number>();
  private readonly rejects = new Map<string, number>();
  private pendingDuplicates = 0;
  private pendingRateLimited = 0;
  /** Bound counts already added to iot_bound_dropped_total. */
  private readonly flushedBounds: Record<BoundName, number> = { maxTagValues: 0, maxMeasurements: 0 };

  /** Discovery announcements already added to iot_bound_dropped_total{bound="discoveryMax"}. */
  private flushedDiscovery = 0;

  constructor(
    private readonly bounds?: SeriesBounds,
    private readonly discovery?: DiscoveryDecoder,
  ) {}

  record(o: Outcome): void {
    bump(this.received, o.family);
    switch (o.kind) {
      case 'reading':
        this.ok++;
        bump(this.normalized, o.decoder);
        break;
      case 'reject':
        this.rejected++;
        this.recentRejects++;
        this.lastReject = o.code;
        bump(this.rejects, o.code);
        break;
      case 'duplicate':
        this.duplicates++;
        this.pendingDuplicates++;
        break;
      case 'rate-limited':
        this.rateLimited++;
        this.pendingRateLimited++;
        break;
      case 'ignored':
        this.ignored++;
        break;
    }
  }

  /** Adds the counts gathered since the last flush to the shared Prometheus counters. */
  flush(): void {
    for (const [family, n] of this.received) metrics.messagesReceived.inc({ family }, n);
    for (const [decoder, n] of this.normalized) metrics.readingsNormalized.inc({ decoder }, n);
    for (const [reason, n] of this.rejects) metrics.readingsRejected.inc({ reason }, n);
    if (this.pendingDuplicates > 0) metrics.duplicatesDropped.inc(this.pendingDuplicates);
    if (this.pendingRateLimited > 0) metrics.rateLimited.inc({ node: 'payload-normalizer' }, this.pendingRateLimited);
    if (this.bounds !== undefined) {
      for (const bound of Object.keys(this.flushedBounds) as BoundName[]) {
        const n = this.bounds.dropped[bound] - this.flushedBounds[bound];
        if (n > 0) metrics.boundDropped.inc({ node: 'payload-normalizer', bound }, n);
        this.flushedBounds[bound] = this.bounds.dropped[bound];
      }
    }
    const lost = (this.discovery?.dropped ?? 0) - this.flushedDiscovery;
    if (lost > 0) metrics.boundDropped.inc({ node: 'payload-normalizer', bound: 'discoveryMax' }, lost);
    this.flushedDiscovery += Math.max(0, lost);
    this.received.clear();
    this.normalized.clear();
    this.rejects.clear();
    this.pendingDuplicates = 0;
    this.pendingRateLimited = 0;
  }

  /** Status line, e.g. `12840 ok · 3 rejected · 1 dup`, in the runtime's language when given its translator. */
  text(tr: Translate = english): string {
    const parts = [tr('payload-normalizer.status.counts', { ok: this.ok, rejected: this.rejected, dup: this.duplicates })];
    if (this.rateLimited > 0) parts.push(tr('payload-normalizer.status.limited', { n: this.rateLimited }));
    if (this.ignored > 0) parts.push(tr('payload-normalizer.status.ignored', { n: this.ignored }));
    const folded = this.bounds === undefined ? 0 : this.bounds.dropped.maxTagValues + this.bounds.dropped.maxMeasurements;
    if (folded > 0) parts.push(tr('payload-normalizer.status.folded', { n: folded }));
    return parts.join(' · ');
  }

  figures(): Record<string, number> {
    const f: Record<string, number> = {
      ok: this.ok,
      rejected: this.rejected,
      duplicates: this.duplicates,
      rateLimited: this.rateLimited,
      ignored: this.ignored,
    };
    if (this.bounds !== undefined) {
      f.dropped_maxTagValues = this.bounds.dropped.maxTagValues;
      f.dropped_maxMeasurements = this.bounds.dropped.maxMeasurements;
    }
    if (this.discovery !== undefined) {
      f.discovery_learned = this.discovery.size;
      f.dropped_discoveryMax = this.discovery.dropped;
    }
    return f;
  }
}
