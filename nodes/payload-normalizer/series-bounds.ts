/**
 * Bounds on the series the normalizer's Readings create in InfluxDB. Every tag
 * value and every measurement (sensor type) is a series; payloads decide them,
 * so without bounds a device that puts a free-text `note` in each message makes
 * one series per message.
 *
 * - Only allow-listed string fields become tags (`tagKeys`); others are left
 *   out of the Reading (they stay in `event.data` of an event).
 * - Per device and tag key, at most `maxTagValues` distinct values; later new
 *   values are folded into FOLDED.
 * - At most `maxMeasurements` distinct sensor types; later new ones are folded
 *   into FOLDED (the metrics keep their names).
 * Each fold is counted under the setting's name (iot_bound_dropped_total,
 * health figure `dropped_<setting>`).
 */

/** What a value past a bound becomes: one extra series, not one per value. */
export const FOLDED = 'other';

/** Most device/tag-key pairs whose values are remembered; the oldest is forgotten past it. */
export const MAX_TRACKED_PAIRS = 50_000;

export type BoundName = 'maxTagValues' | 'maxMeasurements';

export interface SeriesBoundsOptions {
  /** String fields that become tags; null: every one (`*`). */
  tagKeys: ReadonlySet<string> | null;
  /** Distinct values remembered per device and tag key. */
  maxTagValues: number;
  /** Distinct sensor types (measurements). */
  maxMeasurements: number;
}

export class SeriesBounds {
  private readonly measurements = new Set<string>();
  private readonly values = new Map<string, Set<string>>();
  /** Folds per bound since the node started. */
  readonly dropped: Record<BoundName, number> = { maxTagValues: 0, maxMeasurements: 0 };

  constructor(
    readonly options: SeriesBoundsOptions,
    private readonly maxPairs = MAX_TRACKED_PAIRS,
  ) {}

  /** Whether a string field of this (snake_case) name becomes a tag. */
  isTagKey(name: string): boolean {
    return this.options.tagKeys === null || this.options.tagKeys.has(name);
  }

  /** The measurement a Reading of this sensor type is written to. */
  measurement(sensorType: string): string {
    const seen = this.measurements;
    if (seen.has(sensorType)) return sensorType;
    if (seen.size < this.options.maxMeasurements) {
      seen.add(sensorType);
      return sensorType;
    }
    this.dropped.maxMeasurements++;
    return FOLDED;
  }

  /** The value a tag keeps: its own while the device's key has room, else FOLDED. */
  tagValue(deviceId: string, key: string, value: string): string {
    const pair = `${deviceId}\u0000${key}`;
    let set = this.values.get(pair);
    if (set === undefined) {
      if (this.values.size >= this.maxPairs) this.values.delete(this.values.keys().next().value as string);
      set = new Set();
      this.values.set(pair, set);
    }
    if (set.has(value)) return value;
    if (set.size < this.options.maxTagValues) {
      set.add(value);
      return value;
    }
    this.dropped.maxTagValues++;
    return FOLDED;
  }
}

/** Parses the `tagKeys` setting: names separated by commas or spaces, or `*` for every string field. */
export function parseTagKeys(raw: string, normalize: (name: string) => string): ReadonlySet<string> | null {
  const names = raw.split(/[\s,]+/).filter((n) => n !== '');
  if (names.includes('*')) return null;
  return new Set(names.map(normalize).filter((n) => n !== ''));
}
