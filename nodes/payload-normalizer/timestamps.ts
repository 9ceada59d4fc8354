/**
 * Device timestamps -> epoch ms UTC. ISO 8601 with or without a zone (no zone: a
 * configured IANA zone, UTC by default), epoch seconds / ms / µs / ns told apart by
 * magnitude, and device uptime (millis()) which is replaced by the receive time.
 */

/** Outcome of reading a timestamp: `ts` is epoch ms; `uptimeMs` is set when the value was device uptime. */
export interface TimeResult {
  ts: number;
  uptimeMs?: number;
}

/** Numbers below this are device uptime in ms (about 11.5 days), never epoch seconds. */
export const UPTIME_LIMIT = 1e9;
/** ESP32-style devices send millis(): anything below epoch-ms magnitude is uptime. */
export const EPOCH_MS_MIN = 1e11;

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const NUMERIC_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Reads ISO 8601 and epoch timestamps for one configured zone; offsets are cached per 15 minutes. */
export class TimestampParser {
  private readonly utc: boolean;
  private readonly fmt?: Intl.DateTimeFormat;
  private readonly offsets = new Map<number, number>();

  /** @param zone IANA zone name (e.g. `Europe/Paris`) used for ISO strings without a zone. */
  constructor(readonly zone = 'UTC') {
    this.utc = zone === 'UTC' || zone === 'Etc/UTC' || zone === 'GMT';
    if (!this.utc) {
      // Throws RangeError for unknown zones: parseConfig reports it.
      this.fmt = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    }
  }

  /**
   * Converts a raw timestamp. `uptimeBelow` is the magnitude under which a number is
   * device uptime (UPTIME_LIMIT by default; EPOCH_MS_MIN for millis() devices).
   * Returns null when the value is not a usable time.
   */
  parse(raw: unknown, received: number, uptimeBelow = UPTIME_LIMIT): TimeResult | null {
    if (typeof raw === 'number') return this.fromNumber(raw, received, uptimeBelow);
    if (typeof raw !== 'string' || raw.length === 0 || raw.length > 64) return null;
    const s = raw.trim();
    if (NUMERIC_RE.test(s)) return this.fromNumber(Number(s), received, uptimeBelow);
    const ts = this.fromIso(s);
    return ts === null ? null : { ts };
  }

  private fromNumber(n: number, received: number, uptimeBelow: number): TimeResult | null {
    if (!Number.isFinite(n) || n < 0) return null;
    if (n < uptimeBelow) return { ts: received, uptimeMs: n };
    if (n < 1e11) return { ts: Math.round(n * 1000) }; // seconds (up to year 5138)
    if (n < 1e14) return { ts: Math.round(n) }; // milliseconds
    if (n < 1e17) return { ts: Math.floor(n / 1e3) }; // microseconds
    if (n < 1e20) return { ts: Math.floor(n / 1e6) }; // nanoseconds
    return null;
  }

  /** ISO 8601 (and a few near forms); falls back to Date.parse for RFC 2822 style strings. */
  fromIso(s: string): number | null {
    const m = ISO_RE.exec(s);
    if (!m) {
      if (!/[A-Za-z]{3}/.test(s)) return null;
      const t = Date.parse(s);
      return Number.isFinite(t) ? t : null;
    }
    const year = +m[1];
    const month = +m[2];
    const day = +m[3];
    const hour = m[4] ? +m[4] : 0;
    const minute = m[5] ? +m[5] : 0;
    const second = m[6] ? +m[6] : 0;
    // Fraction of any length (the seed sends microseconds); kept to the millisecond.
    const ms = m[7] ? Math.floor(+`0.${m[7]}` * 1000) : 0;
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
    const wall = Date.UTC(year, month - 1, day, hour, minute, second, ms);
    if (!Number.isFinite(wall)) return null;
    const zone = m[8];
    if (zone) {
      if (zone === 'Z' || zone === 'z') return wall;
      const sign = zone[0] === '-' ? -1 : 1;
      const digits = zone.slice(1).replace(':', '');
      const offMin = +digits.slice(0, 2) * 60 + (digits.length > 2 ? +digits.slice(2, 4) : 0);
      return wall - sign * offMin * 60000;
    }
    if (this.utc) return wall;
    // Wall-clock time in the configured zone: subtract the zone's offset at that instant
    // (computed twice, so a time just after a DST change gets the new offset).
    const guess = wall - this.offsetAt(wall);
    return wall - this.offsetAt(guess);
  }

  /** Offset of the zone from UTC in ms at an instant (cached per 15 minutes). */
  offsetAt(instant: number): number {
    const key = Math.floor(instant / 900000);
    const hit = this.offsets.get(key);
    if (hit !== undefined) return hit;
    const parts = this.fmt!.formatToParts(new Date(key * 900000));
    let y = 0,
      mo = 0,
      d = 0,
      h = 0,
      mi = 0,
      se = 0;
    for (const p of parts) {
      switch (p.type) {
        case 'year':
          y = +p.value;
          break;
        case 'month':
          mo = +p.value;
          break;
        case 'day':
          d = +p.value;
          break;
        case 'hour':
          h = +p.value;
          break;
        case 'minute':
          mi = +p.value;
          break;
        case 'second':
          se = +p.value;
          break;
      }
    }
    const offset = Date.UTC(y, mo - 1, d, h, mi, se) - key * 900000;
    if (this.offsets.size > 4096) this.offsets.clear();
    this.offsets.set(key, offset);
    return offset;
  }
}

/** True when `zone` is a time zone name this runtime knows. */
export function isValidZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
