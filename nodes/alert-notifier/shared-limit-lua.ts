/**
 * The Lua scripts of the shared rate limit (shared-limit.ts, which describes
 * the keys): KEYS are the counter, `:start`, `:held`, `:batch` and the node's
 * `:pending` set (member `<rule>|<channel>`, score the end of the window its
 * batch belongs to).
 *
 * TAKE, ARGV window ms, now, max, summary JSON, detail cap, keep ms, member:
 * {count, ttl, start, then an ended window's batch (start, count, part,
 * summaries) when this call found one}. A refused call adds to the batch and
 * puts the member into `:pending`, which expires with the latest batch in it.
 *
 * COLLECT, ARGV force ('1' takes an open window's batch too), member, cutoff
 * ('' for an instance that held something; a window end otherwise: only a
 * batch whose window ended by then is taken): {'take', start, count, part,
 * summaries}, {'wait', ms left}, {'empty'} or {'gone'}. Whatever leaves no
 * batch behind (taken, emptied, gone) leaves `:pending` too.
 */
export const TAKE = `
local w = tonumber(ARGV[1])
local n = redis.call('INCR', KEYS[1])
if n == 1 then
  redis.call('PEXPIRE', KEYS[1], w)
  redis.call('SET', KEYS[2], ARGV[2], 'PX', w)
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], w); ttl = w end
local start = redis.call('GET', KEYS[2])
if not start then
  start = tostring(tonumber(ARGV[2]) + ttl - w)
  redis.call('SET', KEYS[2], start, 'PX', ttl)
end
local out = {n, ttl, start}
if n <= tonumber(ARGV[3]) then return out end
local b = redis.call('HMGET', KEYS[4], 'start', 'n', 'part')
if b[1] and b[1] ~= start then
  if tonumber(b[2] or '0') > 0 then
    out = {n, ttl, start, b[1], b[2], b[3] or '0'}
    for _, m in ipairs(redis.call('LRANGE', KEYS[3], 0, -1)) do out[#out + 1] = m end
  end
  redis.call('DEL', KEYS[3], KEYS[4])
end
if redis.call('LLEN', KEYS[3]) < tonumber(ARGV[5]) then redis.call('RPUSH', KEYS[3], ARGV[4]) end
redis.call('HSET', KEYS[4], 'start', start)
redis.call('HINCRBY', KEYS[4], 'n', 1)
local keep = ttl + tonumber(ARGV[6])
redis.call('PEXPIRE', KEYS[3], keep)
redis.call('PEXPIRE', KEYS[4], keep)
redis.call('ZADD', KEYS[5], tonumber(start) + w, ARGV[7])
if redis.call('PTTL', KEYS[5]) < keep then redis.call('PEXPIRE', KEYS[5], keep) end
return out
`;

export const COLLECT = `
local b = redis.call('HMGET', KEYS[4], 'start', 'n', 'part')
if not b[1] then
  redis.call('ZREM', KEYS[5], ARGV[2])
  return {'gone'}
end
if ARGV[3] ~= '' then
  local s = redis.call('ZSCORE', KEYS[5], ARGV[2])
  if not s or tonumber(s) > tonumber(ARGV[3]) then return {'wait', '0'} end
end
if tonumber(b[2] or '0') == 0 then
  redis.call('ZREM', KEYS[5], ARGV[2])
  return {'empty'}
end
local open = redis.call('GET', KEYS[2]) == b[1]
if open and ARGV[1] ~= '1' then return {'wait', tostring(redis.call('PTTL', KEYS[1]))} end
local out = {'take', b[1], b[2], b[3] or '0'}
for _, m in ipairs(redis.call('LRANGE', KEYS[3], 0, -1)) do out[#out + 1] = m end
redis.call('DEL', KEYS[3])
if open then redis.call('HSET', KEYS[4], 'n', 0, 'part', tonumber(b[3] or '0') + 1) else redis.call('DEL', KEYS[4]) end
redis.call('ZREM', KEYS[5], ARGV[2])
return out
`;
