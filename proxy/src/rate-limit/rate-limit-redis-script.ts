/**
 * The Redis Lua script that decides one request against all its rate-limit counters at once: a port of the
 * pure arithmetic of `@agentcore/policies` (`gcra`, `fixedWindow`, `fixedRateWindow`, `quotaWindow`).
 *
 * Call: EVALSHA sha numkeys KEYS… ARGV…   (ioredis `defineCommand` reloads the script on NOSCRIPT)
 *   KEYS[i]        the counter of check i (prefix + `rateLimitKey`, `#<name>` appended for windows)
 *   ARGV[1]        now in ms since the epoch, or '' to use the Redis server clock (`TIME`, µs resolution)
 *   ARGV[2+4(i−1) … 5+4(i−1)], four per check:
 *     'g', T, B, ''          GCRA, emission interval T ms (already on the 1/2048-ms grid), burst B
 *     'w', limit, periodMs, '' fixed window aligned on the epoch (rate `fixed-window`; hour and day quotas)
 *     'm', limit, start, end  fixed window given by the caller (month quotas: calendar months are computed in JS)
 * Reply: a flat array, four integers per check: allowed (1/0), remaining, resetMs, retryAfterMs.
 *
 * Atomic (a script runs alone on the server): every check is evaluated first, and counters are written only
 * when all of them allow — a request denied by one check consumes nothing from the others.
 * Counters: GCRA keeps `tat` as a string written with %.17g (exact round trip of a double; `tostring` would keep
 * only 14 digits); a window keeps "windowStart count". Each write sets PX = max(1, resetMs) — the time after
 * which an absent counter means the same as the stored one — so memory stays bounded.
 *
 * Numbers: Lua 5.1 numbers are IEEE doubles, like JS, and the formulas are written in the same order as in
 * `policies/src/rate-limit.ts`, so with the same `now` the decisions are identical (the tests check this).
 * Only integers cross back to JS: Redis truncates Lua numbers to integers in replies.
 */
export const RATE_LIMIT_LUA = `
local GRID = 2048
local function floorGrid(ms) return math.floor(ms * GRID) / GRID end
local function ceilGrid(ms) return math.ceil(ms * GRID) / GRID end
local function finite(x) return type(x) == 'number' and x == x and x ~= math.huge and x ~= -math.huge end

local now = tonumber(ARGV[1])
if now == nil then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end

local n = #KEYS
local out = {}
local values = {}
local ttls = {}
local allAllowed = true
for i = 1, n do
  local j = 2 + (i - 1) * 4
  local kind = ARGV[j]
  local raw = redis.call('GET', KEYS[i])
  local allowed, remaining, reset, retry
  if kind == 'g' then
    local T = tonumber(ARGV[j + 1])
    local burst = tonumber(ARGV[j + 2])
    local t = floorGrid(now)
    local prev = raw and tonumber(raw) -- GET of a missing key gives false
    local tat = t
    if finite(prev) then tat = ceilGrid(prev) end
    local burstMs = burst * T
    local newTat = ceilGrid(math.max(tat, t) + T)
    local ahead = newTat - t
    if ahead <= burstMs then
      allowed, remaining, reset, retry = 1, math.floor((burstMs - ahead) / T), math.ceil(math.max(0, ahead)), 0
      values[i] = string.format('%.17g', newTat)
    else
      allowed, remaining, reset, retry = 0, 0, math.ceil(math.max(0, tat - t)), math.ceil(ahead - burstMs)
    end
  else
    local limit = tonumber(ARGV[j + 1])
    local start, stop
    if kind == 'w' then
      local period = tonumber(ARGV[j + 2])
      start = math.floor(now / period) * period
      stop = start + period
    else
      start = tonumber(ARGV[j + 2])
      stop = tonumber(ARGV[j + 3])
    end
    local windowStart, windowEnd, count = start, stop, 0
    if raw then
      local a, b = string.match(raw, '^(%S+) (%S+)$')
      a = tonumber(a)
      b = tonumber(b)
      if finite(a) and finite(b) and a >= start then
        windowStart, windowEnd, count = a, a + (stop - start), math.max(0, b)
      end
    end
    local untilEnd = math.ceil(math.max(0, windowEnd - now))
    local newCount = count + 1
    if newCount <= limit then
      allowed, remaining, reset, retry = 1, limit - newCount, untilEnd, 0
      values[i] = string.format('%.17g %.17g', windowStart, newCount)
    else
      allowed, remaining, reset, retry = 0, math.max(0, limit - count), untilEnd, untilEnd
    end
  end
  if allowed == 0 then allAllowed = false end
  ttls[i] = math.max(1, reset)
  out[#out + 1] = allowed
  out[#out + 1] = remaining
  out[#out + 1] = reset
  out[#out + 1] = retry
end

if allAllowed then
  for i = 1, n do
    redis.call('SET', KEYS[i], values[i], 'PX', ttls[i])
  end
end
return out
`;

/** Arguments per check after ARGV[1] (kind and three parameters). */
export const ARGS_PER_CHECK = 4;
