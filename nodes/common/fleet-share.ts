/**
 * Scale-out: the dashboard's fleet state shared through Redis
 * (docs/scale-out.md). The broker hands each reading to one instance; the
 * fleet state function (dashboards/src/functions/device-state.js) offers the
 * devices it got readings for at its one-second tick, and takes what the other
 * instances wrote, so every instance's tiles and `GET /api/devices` show the
 * whole fleet. Readings never wait: offer() and take() are synchronous and
 * only touch memory; one background exchange per interval writes what was
 * offered (one Lua call, each device at most once) and reads what changed.
 *
 * Keys (prefix `iot:`), bounded and expiring:
 * - `fleet:data` hash deviceId -> device JSON (latest values, last seen, availability)
 * - `fleet:seq`  zset deviceId by write sequence (readers ask for what is newer than they saw)
 * - `fleet:time` zset deviceId by write time (devices silent for `ttlMs` are forgotten;
 *   beyond `maxDevices` the longest silent go first)
 * - `fleet:next` the write sequence
 * - `fleet:by`   deviceId -> the instance that wrote it last ('' once merged): its own
 *   writes are not read back, and a writer following itself needs no merge
 * No node-red import.
 */
import type Redis from 'ioredis';

/** One device as the fleet state keeps it (app/api/fleet.ts FleetDevice, without its pending readings). */
export interface SharedDevice {
  deviceId: string;
  sensorTypes: string[];
  metrics: Record<string, { v: number; u: string; ts: number; st: string }>;
  lastSeen: number;
  lastEvent?: { type: string; ts: number };
  avail?: 'online' | 'offline';
  availAt?: number;
}

// Two instances may hear the same device: a write merges into what is there (newest value
// per metric, latest last-seen, event and availability). A record that kept something of
// the other's loses its writer mark, so the writer reads it back too.
const WRITE = `
local function merge(old, new)
  if not old then return new, ARGV[4] end
  local a = cjson.decode(old)
  local b = cjson.decode(new)
  local mixed = false
  local am = type(a.metrics) == 'table' and a.metrics or {}
  local bm = type(b.metrics) == 'table' and b.metrics or {}
  for k, m in pairs(am) do
    local c = bm[k]
    if type(c) ~= 'table' or (tonumber(c.ts) or 0) < (tonumber(m.ts) or 0) then bm[k] = m; mixed = true end
  end
  b.metrics = bm
  if (tonumber(a.lastSeen) or 0) > (tonumber(b.lastSeen) or 0) then b.lastSeen = a.lastSeen; mixed = true end
  if type(a.lastEvent) == 'table' and (type(b.lastEvent) ~= 'table' or (tonumber(a.lastEvent.ts) or 0) > (tonumber(b.lastEvent.ts) or 0)) then b.lastEvent = a.lastEvent; mixed = true end
  if type(a.avail) == 'string' and (tonumber(a.availAt) or 0) > (tonumber(b.availAt) or 0) then b.avail = a.avail; b.availAt = a.availAt; mixed = true end
  if type(b.sensorTypes) ~= 'table' then b.sensorTypes = {} end
  if type(a.sensorTypes) == 'table' then
    local have = {}
    for _, t in ipairs(b.sensorTypes) do have[t] = true end
    for _, t in ipairs(a.sensorTypes) do
      if not have[t] and #b.sensorTypes < 8 then b.sensorTypes[#b.sensorTypes + 1] = t; mixed = true end
    end
  end
  if mixed then return cjson.encode(b), '' end
  return cjson.encode(b), ARGV[4]
end
local now = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local max = tonumber(ARGV[3])
local n = (#ARGV - 4) / 2
local seq = redis.call('INCRBY', KEYS[4], n) - n
for i = 5, #ARGV, 2 do
  seq = seq + 1
  -- The same writer as last time: its view holds everything it wrote before (no merge needed).
  if redis.call('HGET', KEYS[5], ARGV[i]) == ARGV[4] then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  else
    local rec, by = merge(redis.call('HGET', KEYS[1], ARGV[i]), ARGV[i + 1])
    redis.call('HSET', KEYS[1], ARGV[i], rec)
    redis.call('HSET', KEYS[5], ARGV[i], by)
  end
  redis.call('ZADD', KEYS[2], seq, ARGV[i])
  redis.call('ZADD', KEYS[3], now, ARGV[i])
end
local gone = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now - ttl, 'LIMIT', 0, 1000)
local over = redis.call('ZCARD', KEYS[3]) - #gone - max
if over > 0 then
  for _, id in ipairs(redis.call('ZRANGE', KEYS[3], 0, over + #gone - 1)) do gone[#gone + 1] = id end
end
for _, id in ipairs(gone) do
  redis.call('HDEL', KEYS[1], id)
  redis.call('HDEL', KEYS[5], id)
  redis.call('ZREM', KEYS[2], id)
  redis.call('ZREM', KEYS[3], id)
end
for i = 1, 5 do redis.call('PEXPIRE', KEYS[i], ttl) end
return #gone
`;

const READ = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. ARGV[1], '+inf', 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
if #ids == 0 then return {redis.call('GET', KEYS[4]) or '0', '0'} end
local out = {ids[#ids], tostring(#ids / 2)}
local all = {}
for i = 1, #ids, 2 do all[#all + 1] = ids[i] end
-- What this reader wrote itself (and nobody merged into) is not sent back.
local by = redis.call('HMGET', KEYS[5], unpack(all))
local names = {}
for i = 1, #all do
  if by[i] ~= ARGV[3] then names[#names + 1] = all[i] end
end
if #names == 0 then return out end
local values = redis.call('HMGET', KEYS[1], unpack(names))
for i = 1, #names do
  if values[i] then out[#out + 1] = values[i] end
end
return out
`;

/** Devices per Lua call (Lua's unpack() takes at most about 8,000 values). */
const CHUNK = 1000;

type Sharing = Redis & {
  iotFleetWrite(...args: Array<string | number>): Promise<number>;
  iotFleetRead(...args: Array<string | number>): Promise<string[]>;
};

export interface FleetShareOptions {
  /** Devices kept in Redis (DASHBOARD_MAX_DEVICES). */
  maxDevices: number;
  /** A device not written for this long is forgotten (DASHBOARD_FORGET_AFTER_H). */
  ttlMs: number;
  /** Exchange period, ms (1000: the tick). */
  intervalMs?: number;
  /** This instance's name in what it writes. */
  instance: string;
  onError?(err: Error): void;
}

export class FleetShare {
  private readonly redis: Sharing;
  private readonly keys: string[];
  /** Offered since the last write: newest per device. */
  private outgoing = new Map<string, SharedDevice>();
  /** Read and not yet taken: newest per device. */
  private incoming = new Map<string, SharedDevice>();
  /** Highest write sequence read (0: read everything the first time). */
  private seen = 0;
  private busy = false;
  private readonly timer: NodeJS.Timeout;
  /** Exchanges that failed (Redis away); what was offered is written by a later one. */
  failures = 0;

  constructor(
    redis: Redis,
    prefix: string,
    private readonly opts: FleetShareOptions,
  ) {
    redis.defineCommand('iotFleetWrite', { numberOfKeys: 5, lua: WRITE });
    redis.defineCommand('iotFleetRead', { numberOfKeys: 5, lua: READ });
    this.redis = redis as Sharing;
    this.keys = ['data', 'seq', 'time', 'next', 'by'].map((k) => `${prefix}fleet:${k}`);
    this.timer = setInterval(() => void this.exchange(), opts.intervalMs ?? 1000);
    this.timer.unref();
  }

  /** Devices that got readings here since the last offer; written by the next exchange. Never waits. */
  offer(devices: SharedDevice[]): void {
    for (const d of devices) {
      if (!this.outgoing.has(d.deviceId) && this.outgoing.size >= this.opts.maxDevices) continue;
      this.outgoing.set(d.deviceId, d);
    }
  }

  /** What other instances wrote since the last take. Never waits. */
  take(): SharedDevice[] {
    if (!this.incoming.size) return [];
    const out = [...this.incoming.values()];
    this.incoming = new Map();
    return out;
  }

  /** One write of what was offered and one read of what changed; while Redis is away, retried next time. */
  async exchange(now = Date.now()): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    const batch = this.outgoing;
    this.outgoing = new Map();
    try {
      const all = [...batch];
      for (let i = 0; i < all.length; i += CHUNK) {
        const args: string[] = [];
        for (const [id, d] of all.slice(i, i + CHUNK)) args.push(id, JSON.stringify(d));
        await this.redis.iotFleetWrite(...this.keys, now, this.opts.ttlMs, this.opts.maxDevices, this.opts.instance, ...args);
      }
      for (let more = true; more;) {
        const reply = await this.redis.iotFleetRead(...this.keys, this.seen, CHUNK, this.opts.instance);
        const top = Number(reply[0]) || 0;
        const scanned = Number(reply[1]) || 0;
        if (scanned === 0 && top < this.seen) {
          // A Redis that lost its data counts from 0 again: read it all.
          this.seen = 0;
          continue;
        }
        this.seen = Math.max(this.seen, top);
        for (let i = 2; i < reply.length; i++) {
          const d = JSON.parse(reply[i]) as SharedDevice;
          if (this.incoming.size < this.opts.maxDevices) this.incoming.set(d.deviceId, d);
        }
        more = scanned >= CHUNK;
      }
    } catch (err) {
      this.failures++;
      // Kept for the next exchange, unless newer ones were offered meanwhile.
      for (const [id, d] of batch) if (!this.outgoing.has(id)) this.outgoing.set(id, d);
      this.opts.onError?.(err as Error);
    } finally {
      this.busy = false;
    }
  }

  close(): void {
    clearInterval(this.timer);
  }
}
