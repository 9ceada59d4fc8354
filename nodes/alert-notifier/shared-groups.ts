/**
 * Scale-out: alert groups (grouping.ts) formed once for all instances
 * (docs/scale-out.md). A threshold storm spread over the instances by the
 * shared subscription joins one group in Redis per rule and transition:
 * `<prefix>{<node id>}:group:<rule>|<event>` (hash: openedAt, seq, flushAt,
 * lastSentAt) with its members (`:m`, a list of at most listMax), their count
 * (`:n`) and their keys (`:k`, de-duplication). Every instance that added a
 * member looks at the group when its wait ends; the first one takes it (one Lua
 * call reads and empties it) and sends the one notification, the others find
 * it taken. Follow-ups and closing work as in AlertGrouper.
 *
 * Redis away: members go to this instance's own AlertGrouper (a group per
 * instance, nothing waits or is lost). No node-red import.
 */
import type Redis from 'ioredis';
import type { AlertGrouper, GroupBatch, GroupMember } from './grouping';

/** Where a notifier's groups live: this instance (AlertGrouper) or Redis. */
export interface GroupStore {
  add(ruleId: string, event: string, member: GroupMember, now: number): Promise<boolean>;
  nextDue(): number | undefined;
  due(now: number): Promise<GroupBatch[]>;
  /** Everything waiting, at once (closing). */
  flushAll(now: number): Promise<GroupBatch[]>;
  /** Alerts waiting that this instance knows of (status). */
  readonly waiting: number;
}

/** Groups of this instance alone (no REDIS_URL). */
export function localGroups(g: AlertGrouper): GroupStore {
  return {
    add: async (ruleId, event, member, now) => g.add(ruleId, event, member, now),
    nextDue: () => g.nextDue(),
    due: async (now) => g.due(now),
    flushAll: async (now) => g.flushAll(now),
    get waiting() {
      return g.waiting;
    },
  };
}

const ADD = `
local now = tonumber(ARGV[1])
local h = redis.call('HMGET', KEYS[1], 'openedAt', 'flushAt', 'lastSentAt')
local pending = tonumber(redis.call('GET', KEYS[3]) or '0') > 0
if h[1] and not pending and h[3] and now >= tonumber(h[3]) + tonumber(ARGV[3]) then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
  h = {false, false, false}
end
local flushAt
if not h[1] then
  flushAt = now + tonumber(ARGV[2])
  redis.call('HSET', KEYS[1], 'openedAt', ARGV[1], 'seq', 0, 'flushAt', tostring(flushAt))
elseif not pending and h[3] then
  flushAt = tonumber(h[3]) + tonumber(ARGV[3])
  redis.call('HSET', KEYS[1], 'flushAt', tostring(flushAt))
else
  flushAt = tonumber(h[2])
end
if redis.call('SISMEMBER', KEYS[4], ARGV[6]) == 1 then return {0, tostring(flushAt)} end
local listMax = tonumber(ARGV[4])
if redis.call('SCARD', KEYS[4]) < listMax * 10 then redis.call('SADD', KEYS[4], ARGV[6]) end
if redis.call('LLEN', KEYS[2]) < listMax then redis.call('RPUSH', KEYS[2], ARGV[5]) end
redis.call('INCR', KEYS[3])
for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], ARGV[7]) end
return {1, tostring(flushAt)}
`;

const TAKE = `
local h = redis.call('HMGET', KEYS[1], 'openedAt', 'seq', 'flushAt')
if not h[1] then return {'gone'} end
local n = tonumber(redis.call('GET', KEYS[3]) or '0')
if n == 0 then return {'empty'} end
if ARGV[3] ~= '1' and tonumber(ARGV[1]) < tonumber(h[3]) then return {'wait', h[3]} end
local out = {'take', h[1], h[2], tostring(n)}
for _, m in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do out[#out + 1] = m end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
redis.call('HSET', KEYS[1], 'seq', tonumber(h[2]) + 1, 'lastSentAt', ARGV[1], 'flushAt', tostring(tonumber(ARGV[1]) + tonumber(ARGV[2])))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return out
`;

type Grouping = Redis & {
  iotGroupAdd(...args: Array<string | number>): Promise<[number, string]>;
  iotGroupTake(...args: Array<string | number>): Promise<string[]>;
};

interface Known {
  ruleId: string;
  event: string;
  flushAt: number;
}

/** How long after a Redis error a group is looked at again. */
const RETRY_MS = 1000;

export class SharedGroups implements GroupStore {
  private readonly redis: Grouping;
  /** Groups this instance added to and has not yet seen taken. */
  private readonly known = new Map<string, Known>();
  private readonly ttlMs: number;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly nodeId: string,
    private readonly local: AlertGrouper,
    private readonly onError: (err: Error) => void = () => undefined,
  ) {
    redis.defineCommand('iotGroupAdd', { numberOfKeys: 4, lua: ADD });
    redis.defineCommand('iotGroupTake', { numberOfKeys: 4, lua: TAKE });
    this.redis = redis as Grouping;
    this.ttlMs = local.waitMs + 2 * local.intervalMs + 60_000;
  }

  get waiting(): number {
    return this.local.waiting + this.known.size;
  }

  async add(ruleId: string, event: string, member: GroupMember, now: number): Promise<boolean> {
    const id = `${this.prefix}{${this.nodeId}}:group:${ruleId}|${event}`;
    try {
      const [added, flushAt] = await this.redis.iotGroupAdd(
        ...this.keys(id),
        now,
        this.local.waitMs,
        this.local.intervalMs,
        this.local.listMax,
        JSON.stringify(member),
        member.key,
        this.ttlMs,
      );
      const k = this.known.get(id);
      if (!k || Number(flushAt) !== k.flushAt) this.known.set(id, { ruleId, event, flushAt: Number(flushAt) });
      return Number(added) === 1;
    } catch (err) {
      this.onError(err as Error);
      return this.local.add(ruleId, event, member, now);
    }
  }

  nextDue(): number | undefined {
    let next = this.local.nextDue();
    for (const k of this.known.values()) if (next === undefined || k.flushAt < next) next = k.flushAt;
    return next;
  }

  async due(now: number): Promise<GroupBatch[]> {
    return this.take(now, false);
  }

  async flushAll(now: number): Promise<GroupBatch[]> {
    return this.take(now, true);
  }

  private async take(now: number, force: boolean): Promise<GroupBatch[]> {
    const out = force ? this.local.flushAll(now) : this.local.due(now);
    for (const [id, k] of [...this.known]) {
      if (!force && k.flushAt > now) continue;
      let reply: string[];
      try {
        reply = await this.redis.iotGroupTake(...this.keys(id), now, this.local.intervalMs, force ? '1' : '0', this.ttlMs);
      } catch (err) {
        this.onError(err as Error);
        k.flushAt = now + RETRY_MS;
        continue;
      }
      if (reply[0] === 'wait') {
        k.flushAt = Number(reply[1]);
        continue;
      }
      // Taken (by this instance or another), or gone: nothing of it waits here any more.
      this.known.delete(id);
      if (reply[0] !== 'take') continue;
      const members = reply.slice(4).map((m) => JSON.parse(m) as GroupMember);
      out.push({ ruleId: k.ruleId, event: k.event, openedAt: Number(reply[1]), seq: Number(reply[2]), count: Number(reply[3]), members });
    }
    return out;
  }

  private keys(id: string): string[] {
    return [id, `${id}:m`, `${id}:n`, `${id}:k`];
  }
}
