/**
 * Scale-out: the alert state every instance of one threshold-alert node (same
 * node id, same flows) shares in Redis (docs/scale-out.md). Each instance
 * evaluates the readings it receives with its own engine; a transition is
 * emitted only by the instance whose Lua script wins it, so a reading on
 * instance A and an ack on instance B never give two notifications or a lost
 * ack. The loser adopts the shared record (its id, state, acknowledgement).
 *
 * Keys (prefix `iot:`, hash tag on the node id), all bounded:
 * - `{node}:alerts`  hash ruleId\0deviceId -> AlertRecord JSON (active alerts only; maxAlerts)
 * - `{node}:ids`     hash alert id -> field (ack / resolve by id)
 * - `{node}:history` list of transitions, trimmed to historyLimit
 * - `{node}:armed`   "1" / "0"
 * - `{node}:seen`    hash deviceId -> last reading time, ms (maxDevices)
 * - `{node}:done:<alert id>` the resolved record, for ACTION_MEMORY_MS (an action both instances got)
 * - `{node}:staleness-lead` the instance that checks for silent devices (a lease)
 * - `{node}:epoch`   set by the first instance that finds the state missing (first start, or
 *                    Redis restarted empty / flushed): every instance then puts back what it
 *                    holds (restore(), pushSeen() of its whole table) before it adopts anything
 * Hashes expire STATE_TTL_MS after the last write: a removed node's state goes away.
 * No node-red import.
 */
import { randomUUID } from 'crypto';
import type Redis from 'ioredis';
import { OFFLINE_METRIC, type AlertRecord, type HistoryEntry, type Transition } from './alert-record';
import type { ActionRequest } from './engine';
import type { Rule } from './rules';

export const STATE_TTL_MS = 30 * 86_400_000;
/** An action repeated within this time (the same ack sent to every instance) is a no-op, not an error. */
export const ACTION_MEMORY_MS = 10 * 60_000;

const CLAIM = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
local rec = cjson.decode(ARGV[3])
local ev = ARGV[2]
local c = nil
if cur then c = cjson.decode(cur) end
if ev == 'fired' and c == nil and ARGV[8] ~= '' then
  local seen = tonumber(string.match(redis.call('HGET', KEYS[4], ARGV[8]) or '0', '^%d+'))
  if tonumber(ARGV[10]) - seen < tonumber(ARGV[9]) then return {2, tostring(seen)} end
end
local ok = false
-- A retry of a claim whose answer was lost (connection cut) finds its own write and wins again.
if ev == 'fired' then ok = (c == nil) or (c.id == rec.id and c.state == 'firing' and c.firedAt == rec.firedAt)
elseif ev == 'repeated' then ok = (c ~= nil and c.id == rec.id and c.state == 'firing' and ((tonumber(rec.lastNotifiedAt) - tonumber(c.lastNotifiedAt or c.since)) >= tonumber(ARGV[7]) or c.lastNotifiedAt == rec.lastNotifiedAt))
elseif ev == 'resolved' then ok = (c ~= nil and c.id == rec.id) or (c == nil and redis.call('GET', ARGV[11] .. rec.id) == ARGV[3])
elseif ev == 'acknowledged' then ok = (c ~= nil and c.id == rec.id and c.state == 'firing')
end
if not ok then return {0, cur or ''} end
if ev == 'resolved' then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], rec.id)
  redis.call('SET', ARGV[11] .. rec.id, ARGV[3], 'PX', ARGV[6])
else
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
  redis.call('HSET', KEYS[2], rec.id, ARGV[1])
end
redis.call('PEXPIRE', KEYS[1], ARGV[12])
redis.call('PEXPIRE', KEYS[2], ARGV[12])
redis.call('LPUSH', KEYS[3], ARGV[4])
redis.call('LTRIM', KEYS[3], 0, tonumber(ARGV[5]) - 1)
redis.call('PEXPIRE', KEYS[3], ARGV[12])
return {1, ''}
`;

const ACT = `
local field = ARGV[3]
if ARGV[2] ~= '' then field = redis.call('HGET', KEYS[2], ARGV[2]) end
if not field then
  if ARGV[2] ~= '' then
    local d = redis.call('GET', ARGV[9] .. ARGV[2])
    if d then
      local r = cjson.decode(d)
      if ARGV[1] == 'resolve' and tonumber(r.since) == tonumber(ARGV[6]) and r.resolvedBy == ARGV[4] and redis.call('GET', ARGV[9] .. ARGV[2] .. ':actor') == ARGV[10] then return {'ok', d} end
      return {'done', d}
    end
  end
  return {'missing', ''}
end
local cur = redis.call('HGET', KEYS[1], field)
if not cur then return {'missing', ''} end
local a = cjson.decode(cur)
local now = tonumber(ARGV[6])
local ev = 'acknowledged'
if ARGV[1] == 'ack' then
  if a.state == 'acknowledged' and tonumber(a.acknowledgedAt) == now and a.acknowledgedBy == ARGV[4] and redis.call('GET', ARGV[9] .. a.id .. ':actor') == ARGV[10] then return {'ok', cur} end
  if a.state == 'acknowledged' then return {'already', cur} end
  if a.state ~= 'firing' then return {'state', cur} end
  a.state = 'acknowledged'
  a.acknowledgedBy = ARGV[4]
  a.acknowledgedAt = now
  if ARGV[5] ~= '' then a.reason = ARGV[5] else a.reason = nil end
else
  if a.state == 'pending' then return {'state', cur} end
  ev = 'resolved'
  a.state = 'resolved'
  a.resolvedBy = ARGV[4]
  if ARGV[5] ~= '' then a.reason = ARGV[5] else a.reason = 'resolved by hand' end
end
a.since = now
local out = cjson.encode(a)
-- Who did it: only that instance's retry (same time, after a lost reply) gets the transition again;
-- another instance acting on the same message in the same millisecond stays quiet.
redis.call('SET', ARGV[9] .. a.id .. ':actor', ARGV[10], 'PX', ARGV[8])
if ev == 'resolved' then
  redis.call('HDEL', KEYS[1], field)
  redis.call('HDEL', KEYS[2], a.id)
  redis.call('SET', ARGV[9] .. a.id, out, 'PX', ARGV[8])
else
  redis.call('HSET', KEYS[1], field, out)
end
local h = {at = now, event = ev, alertId = a.id, ruleId = a.ruleId, deviceId = a.deviceId, severity = a.severity, value = a.value, by = ARGV[4]}
if ARGV[5] ~= '' then h.reason = ARGV[5] end
redis.call('LPUSH', KEYS[3], cjson.encode(h))
redis.call('LTRIM', KEYS[3], 0, tonumber(ARGV[7]) - 1)
return {'ok', out}
`;

const LEAD = `
local cur = redis.call('GET', KEYS[1])
if cur == ARGV[1] or (not cur and redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])) then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`;

const SEEN = `
for i = 1, #ARGV - 1, 2 do
  local old = tonumber(string.match(redis.call('HGET', KEYS[1], ARGV[i]) or '0', '^%d+'))
  if tonumber(string.match(ARGV[i + 1], '^%d+')) > old then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
redis.call('PEXPIRE', KEYS[1], ARGV[#ARGV])
return 1
`;

const EPOCH = `
local cur = redis.call('GET', KEYS[1])
if cur then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {cur, 0}
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return {ARGV[1], 1}
`;

/** Puts records back where none is (an instance's alerts after Redis lost them); the armed state too, unless set. */
const RESTORE = `
local n = 0
for i = 3, #ARGV - 2, 3 do
  if redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1]) == 1 then
    redis.call('HSET', KEYS[2], ARGV[i + 2], ARGV[i])
    n = n + 1
  end
end
if ARGV[2] ~= '' then redis.call('SET', KEYS[3], ARGV[2], 'NX', 'PX', ARGV[1]) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return n
`;

type Scripted = Redis & {
  iotClaim(...args: Array<string | number>): Promise<[number, string]>;
  iotAct(...args: Array<string | number>): Promise<[string, string]>;
  iotSeen(...args: Array<string | number>): Promise<number>;
  iotLead(...args: Array<string | number>): Promise<number>;
  iotEpoch(...args: Array<string | number>): Promise<[string, number]>;
  iotRestore(...args: Array<string | number>): Promise<number>;
};

function scripted(redis: Redis): Scripted {
  const r = redis as Scripted;
  if (typeof r.iotClaim !== 'function') {
    redis.defineCommand('iotClaim', { numberOfKeys: 4, lua: CLAIM });
    redis.defineCommand('iotAct', { numberOfKeys: 3, lua: ACT });
    redis.defineCommand('iotSeen', { numberOfKeys: 1, lua: SEEN });
    redis.defineCommand('iotLead', { numberOfKeys: 1, lua: LEAD });
    redis.defineCommand('iotEpoch', { numberOfKeys: 1, lua: EPOCH });
    redis.defineCommand('iotRestore', { numberOfKeys: 3, lua: RESTORE });
  }
  return r;
}

const SEP = '\u0000';

/** A device's last reading as shared: when, its sensor type, and whether it reports periodically. */
export interface SharedSeen {
  at: number;
  sensorType: string;
  periodic: boolean;
}

/** What claim() decided for one transition. */
export type ClaimResult = { won: true; transition: Transition } | { won: false; transition: Transition; shared?: AlertRecord; seenAt?: number };

/** What an action did: a transition to announce, or nothing (another instance already did the same). */
export type ActResult = { transition?: Transition; shared?: AlertRecord; error?: string };

export class SharedAlerts {
  private readonly r: Scripted;
  private readonly keys: { alerts: string; ids: string; history: string; armed: string; seen: string; done: string; lead: string; epoch: string };

  constructor(
    redis: Redis,
    prefix: string,
    nodeId: string,
    private readonly historyLimit: number,
    /** This instance, for telling its own retried action from another instance's identical one. */
    private readonly instance: string = randomUUID(),
  ) {
    this.r = scripted(redis);
    const base = `${prefix}{${nodeId}}:`;
    this.keys = {
      alerts: `${base}alerts`,
      ids: `${base}ids`,
      history: `${base}history`,
      armed: `${base}armed`,
      seen: `${base}seen`,
      done: `${base}done:`,
      lead: `${base}staleness-lead`,
      epoch: `${base}epoch`,
    };
  }

  /**
   * Claims one transition atomically. A staleness alert is refused as well
   * when another instance heard from the device within the rule's limit.
   */
  async claim(t: Transition, rule: Rule | undefined, now: number): Promise<ClaimResult> {
    const a = t.alert;
    const k = this.keys;
    const history: HistoryEntry = {
      at: now,
      event: t.event === 'repeated' ? 'fired' : t.event,
      alertId: a.id,
      ruleId: a.ruleId,
      deviceId: a.deviceId,
      severity: a.severity,
      value: a.value,
    };
    if (t.by !== undefined) history.by = t.by;
    if (t.reason !== undefined) history.reason = t.reason;
    // An offline announcement is not refused by another instance's last-seen time: the device said so.
    const stale = t.event === 'fired' && rule?.kind === 'staleness' && a.metric !== OFFLINE_METRIC;
    const repeatGap = rule && rule.kind !== 'staleness' && rule.repeat > 0 ? rule.repeat * 500 : 0;
    const [code, text] = await this.r.iotClaim(
      k.alerts,
      k.ids,
      k.history,
      k.seen,
      a.ruleId + SEP + a.deviceId,
      t.event,
      JSON.stringify(a),
      JSON.stringify(history),
      this.historyLimit,
      ACTION_MEMORY_MS,
      repeatGap,
      stale ? a.deviceId : '',
      stale ? rule.after * 1000 : 0,
      now,
      k.done,
      STATE_TTL_MS,
    );
    if (Number(code) === 1) return { won: true, transition: t };
    if (Number(code) === 2) return { won: false, transition: t, seenAt: Number(text) };
    return { won: false, transition: t, shared: text ? (JSON.parse(text) as AlertRecord) : undefined };
  }

  /** Acknowledges or resolves in Redis; the caller announces the transition it returns. */
  async act(req: ActionRequest, now: number): Promise<ActResult> {
    const k = this.keys;
    const field = req.alertId === undefined ? `${req.ruleId}${SEP}${req.deviceId}` : '';
    const [code, text] = await this.r.iotAct(
      k.alerts,
      k.ids,
      k.history,
      req.action,
      req.alertId ?? '',
      field,
      req.by,
      req.reason ?? '',
      now,
      this.historyLimit,
      ACTION_MEMORY_MS,
      k.done,
      this.instance,
    );
    const rec = text ? (JSON.parse(text) as AlertRecord) : undefined;
    const what = req.alertId !== undefined ? `alert ${req.alertId}` : `the alert of rule ${req.ruleId} on device ${req.deviceId}`;
    if (code === 'ok') {
      const event = req.action === 'ack' ? 'acknowledged' : 'resolved';
      return { transition: { event, alert: rec!, by: req.by, reason: req.reason ?? (event === 'resolved' ? rec!.reason : undefined) }, shared: rec };
    }
    // The same action that reached every instance (an MQTT control message): done once, the others are quiet.
    const recent = (at: number | undefined): boolean => at !== undefined && now - at < ACTION_MEMORY_MS;
    if (code === 'already' && rec && rec.acknowledgedBy === req.by && recent(rec.acknowledgedAt)) return { shared: rec };
    if (code === 'done' && rec && (req.action === 'resolve' || rec.resolvedBy === req.by)) return { shared: rec };
    if (code === 'already') return { shared: rec, error: `${what} is already acknowledged by ${rec?.acknowledgedBy}` };
    if (code === 'done') return { error: `${what} is already resolved` };
    if (code === 'state')
      return {
        shared: rec,
        error: `${what} is ${rec?.state}; only a ${req.action === 'ack' ? 'firing alert can be acknowledged' : 'firing or acknowledged alert can be resolved'}`,
      };
    return { error: `no active alert: ${what}` };
  }

  async setArmed(armed: boolean): Promise<void> {
    await this.r.set(this.keys.armed, armed ? '1' : '0', 'PX', STATE_TTL_MS);
  }

  /** Every active alert and the armed state (undefined: never set), as all instances see them. */
  async fetch(): Promise<{ alerts: AlertRecord[]; armed: boolean | undefined }> {
    const [alerts, armed] = await Promise.all([this.r.hvals(this.keys.alerts), this.r.get(this.keys.armed)]);
    return { alerts: alerts.map((t) => JSON.parse(t) as AlertRecord), armed: armed === null ? undefined : armed === '1' };
  }

  /** The dashboard's list: shared active alerts and history (oldest first). */
  async list(): Promise<{ active: AlertRecord[]; history: HistoryEntry[]; armed: boolean }> {
    const [{ alerts, armed }, history] = await Promise.all([this.fetch(), this.r.lrange(this.keys.history, 0, this.historyLimit - 1)]);
    return { active: alerts, history: history.reverse().map((h) => JSON.parse(h) as HistoryEntry), armed: armed === true };
  }

  /** Every device any instance heard from (for the staleness lease holder). */
  async fetchSeen(): Promise<Map<string, SharedSeen>> {
    const out = new Map<string, SharedSeen>();
    for (const [id, v] of Object.entries(await this.r.hgetall(this.keys.seen))) {
      const [at, periodic, ...type] = v.split('|');
      out.set(id, { at: Number(at), periodic: periodic === '1', sensorType: type.join('|') });
    }
    return out;
  }

  /**
   * Takes or keeps the staleness lease: one instance checks for silent devices
   * (against the shared last-seen times), so a fleet going silent opens its
   * alerts on one instance and its notifier groups them into one notification.
   * Another instance takes over when the holder stops renewing for `ttlMs`.
   */
  async lead(token: string, ttlMs: number): Promise<boolean> {
    return Number(await this.r.iotLead(this.keys.lead, token, ttlMs)) === 1;
  }

  /**
   * The shared state's epoch: `created` when this call found none (the first
   * instance ever, or Redis lost its data) and started `candidate`. An instance
   * that sees an epoch other than the one it follows puts back what it holds.
   */
  async epoch(candidate: string = randomUUID()): Promise<{ id: string; created: boolean }> {
    const [id, created] = await this.r.iotEpoch(this.keys.epoch, candidate, STATE_TTL_MS);
    return { id, created: Number(created) === 1 };
  }

  /**
   * Puts this instance's active alerts back where Redis has none for the same
   * rule and device (another instance's record wins), and its armed state
   * unless one is set. Returns how many alerts it put back.
   */
  async restore(alerts: readonly AlertRecord[], armed: boolean | undefined): Promise<number> {
    const k = this.keys;
    let n = 0;
    const shared = alerts.filter((a) => a.state === 'firing' || a.state === 'acknowledged');
    // Chunks keep one script call short: other clients wait while it runs.
    for (let i = 0; i === 0 || i < shared.length; i += 500) {
      const args: string[] = [];
      for (const a of shared.slice(i, i + 500)) args.push(a.ruleId + SEP + a.deviceId, JSON.stringify(a), a.id);
      n += Number(await this.r.iotRestore(k.alerts, k.ids, k.armed, STATE_TTL_MS, i === 0 && armed !== undefined ? (armed ? '1' : '0') : '', ...args));
    }
    return n;
  }

  /** Shares when devices last reported (the latest time wins), with the sensor type and whether they report periodically. */
  async pushSeen(entries: Iterable<[string, SharedSeen | number]>): Promise<void> {
    const args: Array<string | number> = [];
    for (const [id, v] of entries) args.push(id, typeof v === 'number' ? `${v}` : `${v.at}|${v.periodic ? 1 : 0}|${v.sensorType}`);
    // Chunks keep one script call short: other clients wait while it runs.
    for (let i = 0; i < args.length; i += 2000) await this.r.iotSeen(this.keys.seen, ...args.slice(i, i + 2000), STATE_TTL_MS);
  }
}
