/**
 * The Lua scripts of the shared registry (registry-share.ts, which describes
 * the keys): KEYS are the hash, `:seq`, `:log`, `:floor` and `:epoch`.
 *
 * WRITE, ARGV max, mode, epoch, then id / entry JSON pairs ('' removes): mode
 * '1' seeds an empty Redis under a new epoch ({-1} when it has a registry),
 * '0' changes it ({-2} when it has none: lost). A new id past `max` is
 * refused. Returns {seq before, seq after, refused}; cuts the log to 2 × max.
 *
 * READ, ARGV seen, limit, epoch: {seq, floor, epoch, then id, seq, entry ('' removed)
 * of the changes after `seen`}; only the first three when the epoch is not
 * the reader's or the log was cut past `seen`; {'-1'} when there is no registry.
 */
export const WRITE = `
local exists = redis.call('EXISTS', KEYS[2]) == 1
if ARGV[2] == '1' and exists then return {-1, 0, 0} end
if ARGV[2] == '0' and not exists then return {-2, 0, 0} end
if ARGV[2] == '1' then redis.call('SET', KEYS[5], ARGV[3]) end
local max = tonumber(ARGV[1])
local before = tonumber(redis.call('GET', KEYS[2]) or '0')
local seq = before
local refused = 0
for i = 4, #ARGV, 2 do
  local id, v, ok = ARGV[i], ARGV[i + 1], true
  if v == '' then
    redis.call('HDEL', KEYS[1], id)
  elseif redis.call('HEXISTS', KEYS[1], id) == 1 or redis.call('HLEN', KEYS[1]) < max then
    redis.call('HSET', KEYS[1], id, v)
  else
    refused = refused + 1
    ok = false
  end
  if ok then
    seq = seq + 1
    redis.call('ZADD', KEYS[3], seq, id)
  end
end
redis.call('SET', KEYS[2], seq)
local over = redis.call('ZCARD', KEYS[3]) - 2 * max
if over > 0 then
  local cut = redis.call('ZRANGE', KEYS[3], over - 1, over - 1, 'WITHSCORES')
  redis.call('ZREMRANGEBYRANK', KEYS[3], 0, over - 1)
  redis.call('SET', KEYS[4], cut[2])
end
return {before, seq, refused}
`;

export const READ = `
local seq = redis.call('GET', KEYS[2])
if not seq then return {'-1', '0'} end
local floor = redis.call('GET', KEYS[4]) or '0'
local out = {seq, floor, redis.call('GET', KEYS[5]) or ''}
if tonumber(floor) > tonumber(ARGV[1]) or out[3] ~= ARGV[3] then return out end
local ids = redis.call('ZRANGEBYSCORE', KEYS[3], '(' .. ARGV[1], '+inf', 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
for i = 1, #ids, 2 do
  out[#out + 1] = ids[i]
  out[#out + 1] = ids[i + 1]
  out[#out + 1] = redis.call('HGET', KEYS[1], ids[i]) or ''
end
return out
`;
