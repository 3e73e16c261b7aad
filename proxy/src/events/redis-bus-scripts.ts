/**
 * The Lua scripts of the Redis Streams bus (docs/events.md § Redis layout). Keys share the caller's prefix, which
 * should carry a hash tag (`agentcore:events:{orders}`) so one script's keys sit in one cluster slot.
 */

/**
 * Publish. KEYS: all-stream, topic stream, topic index (zset). ARGV: payload JSON, topic, maxEvents, maxAgeMs,
 * all-stream length bound. The id comes from XADD `*` on the all-stream (server clock, increasing across topics);
 * the topic stream stores the same id and `p`, the previous id of that topic, so a resume can tell a trimmed gap
 * from "nothing happened". Returns {id, nowMs}.
 */
export const PUBLISH_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local maxEvents = tonumber(ARGV[3])
local maxAge = tonumber(ARGV[4])
local prev = '0-0'
if redis.call('EXISTS', KEYS[2]) == 1 then
  local info = redis.call('XINFO', 'STREAM', KEYS[2])
  for i = 1, #info, 2 do if info[i] == 'last-generated-id' then prev = info[i + 1] end end
end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[5], '*', 'e', ARGV[1])
redis.call('XADD', KEYS[2], id, 'e', ARGV[1], 'p', prev)
redis.call('XTRIM', KEYS[2], 'MAXLEN', maxEvents)
redis.call('XTRIM', KEYS[2], 'MINID', string.format('%.0f-0', now - maxAge))
redis.call('PEXPIRE', KEYS[2], maxAge * 2)
redis.call('ZADD', KEYS[3], now, ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - maxAge * 2)
return {id, string.format('%.0f', now)}
`;

/**
 * Read one topic's history after an id. KEYS: topic stream. ARGV: afterId, maxAgeMs. Trims by age first, then
 * returns {lastGeneratedId or false, entries after afterId, nowMs}.
 */
export const HISTORY_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if redis.call('EXISTS', KEYS[1]) == 0 then return {false, {}, string.format('%.0f', now)} end
redis.call('XTRIM', KEYS[1], 'MINID', string.format('%.0f-0', now - tonumber(ARGV[2])))
local info = redis.call('XINFO', 'STREAM', KEYS[1])
local last = '0-0'
for i = 1, #info, 2 do if info[i] == 'last-generated-id' then last = info[i + 1] end end
return {last, redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+'), string.format('%.0f', now)}
`;
