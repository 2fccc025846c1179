/**
 * The Lua scripts of the Redis gates. Every change of a gate's state is one of these, run
 * atomically by Redis, so no two processes ever see a half-made change.
 *
 * Keys of a gate `<prefix>:<name>` (KEYS[1..5]):
 * - `:x` sorted set, every token (waiting or holding) -> its lease expiry (ms, Redis `TIME`);
 * - `:q` sorted set, the waiting tokens -> their place in line (a counter, so strict FIFO);
 * - `:w` hash, token -> weight;
 * - `:m` hash, `held` (sum of the weights held), `seq` (the line's counter), `quiet` (see below);
 * - `:t` string, the total a `RedisCapacityLimiter` was resized to (kept a day after its last use).
 * The sets go with their last member; while any member is left, all four keys expire one second
 * after the last lease in `:x`, and once none is, `:m` expires a lease and a second later: a gate
 * whose processes all died, or that nobody uses, disappears by itself.
 *
 * A token is `<listener>/<gate>.<n>`; a grant is published on `<prefix>:g:<listener>` (the
 * pub/sub connection of the granted waiter's process), every change of state on
 * `<prefix>:<name>:s` as `version,total,held,waiting`.
 *
 * Time is Redis's `TIME`, so the clocks of the processes do not matter. Leases are reaped by the
 * first script that runs after they end; the processes schedule a run for the earliest expiry
 * they learn from a reply (`wake`), so nothing polls.
 *
 * Quiet period: Redis started without persistence forgets every holder when it restarts, while
 * the old holders still work until their next refresh tells them. A gate whose meta hash is absent
 * on a server younger than one lease therefore grants nothing until the server is a lease (plus
 * one second, `uptime_in_seconds` being whole seconds) old: by then every holder from before the
 * restart has seen its lease lost. (`INFO` is asked only when the meta hash is absent: a gate not
 * used for a lease.)
 *
 * ARGV: [1] `<prefix>:<name>`, [2] the caller's total (`inf` for Infinity; after a `*`, the default
 * of a total stored in `:t`), [3] leaseMs,
 * [4] `<prefix>:g:`, then the script's own. Reply: `{ status, wake, total (-1: Infinity), held,
 * waiting, version }`, `wake` being ms until the next expiry or end of quiet (-1: none).
 * @internal
 */

const PRELUDE = `
local X, Q, W, M, T = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local base, lease, grants = ARGV[1], tonumber(ARGV[3]), ARGV[4]
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local version = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local function parse(v) if v == 'inf' then return math.huge end return tonumber(v) end
local stored = string.byte(ARGV[2]) == 42
local total = stored and parse(redis.call('GET', T) or string.sub(ARGV[2], 2)) or parse(ARGV[2])
local held, quiet, changed, touched = 0, 0, false, false
local meta = redis.call('HMGET', M, 'held', 'quiet')
if meta[1] then
  held, quiet = tonumber(meta[1]), tonumber(meta[2] or 0)
else
  local up = tonumber(string.match(redis.call('INFO', 'server'), 'uptime_in_seconds:(%d+)'))
  if up * 1000 < lease + 1000 then quiet = now + lease + 1000 - up * 1000 end
end

local function reap()
  local dead = redis.call('ZRANGEBYSCORE', X, '-inf', now)
  if #dead == 0 then return end
  for _, tok in ipairs(dead) do
    if redis.call('ZREM', Q, tok) == 0 then held = held - tonumber(redis.call('HGET', W, tok)) end
    redis.call('HDEL', W, tok)
  end
  redis.call('ZREMRANGEBYSCORE', X, '-inf', now)
  changed = true
end

local function grant(self)
  local mine = false
  while now >= quiet do
    local head = redis.call('ZRANGE', Q, 0, 0)[1]
    if not head then break end
    local weight = tonumber(redis.call('HGET', W, head))
    if held + weight > total then break end
    redis.call('ZREM', Q, head)
    redis.call('ZADD', X, now + lease, head)
    held = held + weight
    changed = true
    if head == self then mine = true else redis.call('PUBLISH', grants .. string.match(head, '^[^/]*'), head) end
  end
  return mine
end

local function leave(tok)
  if redis.call('ZREM', X, tok) == 0 then return end
  if redis.call('ZREM', Q, tok) == 0 then held = held - tonumber(redis.call('HGET', W, tok)) end
  redis.call('HDEL', W, tok)
  changed = true
end

local function reply(status)
  local waiting = redis.call('ZCARD', Q)
  if changed or touched then
    local last = redis.call('ZRANGE', X, -1, -1, 'WITHSCORES')[2]
    redis.call('HSET', M, 'held', held, 'quiet', quiet)
    if last then
      local ttl = tonumber(last) - now + 1000
      redis.call('PEXPIRE', X, ttl)
      if waiting > 0 then redis.call('PEXPIRE', Q, ttl) end
      redis.call('PEXPIRE', W, ttl)
      redis.call('PEXPIRE', M, ttl)
    else
      -- Nobody holds or waits (the sets are gone with their last member). The meta hash stays a
      -- lease, so that a gate used again soon need not look at the server's uptime.
      redis.call('PEXPIRE', M, lease + 1000)
    end
  end
  local shown = total == math.huge and -1 or total
  if changed then
    if stored then redis.call('PEXPIRE', T, 86400000) end
    redis.call('PUBLISH', base .. ':s', string.format('%.0f', version) .. ',' .. shown .. ',' .. held .. ',' .. waiting)
  end
  local wake = -1
  local first = redis.call('ZRANGE', X, 0, 0, 'WITHSCORES')[2]
  if first then wake = tonumber(first) - now end
  if quiet > now and waiting > 0 and (wake < 0 or quiet - now < wake) then wake = quiet - now end
  return { status, wake, shown, held, waiting, version }
end
`;

/**
 * Joins the line (or takes the permits at once if it is empty and they fit). ARGV[5] token,
 * [6] weight, [7] `try` to take the permits only if that needs no wait. Idempotent for a token
 * already known (a client that resends after a reconnection). Status: 0 not taken (`try`),
 * 1 waiting, 2 holding.
 */
export const ACQUIRE = `${PRELUDE}
reap()
local tok, weight = ARGV[5], tonumber(ARGV[6])
local status = 0
if redis.call('ZSCORE', X, tok) then
  status = redis.call('ZSCORE', Q, tok) and 1 or 2
elseif now >= quiet and held + weight <= total and redis.call('ZCARD', Q) == 0 then
  -- Nobody waits and it fits: granted without joining the line.
  redis.call('HSET', W, tok, weight)
  redis.call('ZADD', X, now + lease, tok)
  held = held + weight
  changed = true
  return reply(2)
elseif ARGV[7] ~= 'try' then
  redis.call('ZADD', Q, redis.call('HINCRBY', M, 'seq', 1), tok)
  redis.call('HSET', W, tok, weight)
  redis.call('ZADD', X, now + lease, tok)
  changed = true
  status = 1
end
if grant(tok) then status = 2 end
return reply(status)
`;

/** Gives a token up, waiting or holding (idempotent), and grants whoever that lets in. ARGV[5] token. */
export const LEAVE = `${PRELUDE}
reap()
leave(ARGV[5])
grant(nil)
return reply(0)
`;

/**
 * The heartbeat of one process: extends the lease of each of its tokens (ARGV[5...]) that Redis
 * still has. The reply is followed by one status per token: 0 lost, 1 waiting, 2 holding.
 */
export const REFRESH = `${PRELUDE}
reap()
grant(nil)
local statuses = {}
for i = 5, #ARGV do
  local tok = ARGV[i]
  if redis.call('ZSCORE', X, tok) then
    redis.call('ZADD', X, 'XX', now + lease, tok)
    touched = true
    statuses[#statuses + 1] = redis.call('ZSCORE', Q, tok) and 1 or 2
  else
    statuses[#statuses + 1] = 0
  end
end
local result = reply(0)
for _, s in ipairs(statuses) do result[#result + 1] = s end
return result
`;

/** Reaps, grants, and reports the state (what a new `state$` observer first needs). */
export const STATE = `${PRELUDE}
reap()
grant(nil)
return reply(0)
`;

/** Stores a new total (ARGV[5], `inf` for Infinity) for a day and grants whoever it lets in. */
export const RESIZE = `${PRELUDE}
redis.call('SET', T, ARGV[5], 'PX', 86400000)
total = parse(ARGV[5])
changed = true
reap()
grant(nil)
return reply(0)
`;

/**
 * `RedisRateLimiter`: GCRA on one hash `KEYS[1]` = `<prefix>:<name>:r`, `t` the Redis time (ms) of
 * the last grant, `d` how far the theoretical arrival time was ahead of `t` then, in units of
 * 1/limit ms (so `interval / limit` is never rounded; the arithmetic of `RateLimiter`, in Lua). A
 * server clock set back counts as no time passing. A weight is granted when its exact time rounds
 * to now; else the reply says the first whole ms at which it will.
 * ARGV: [1] limit, [2] interval, [3] burst, [4] weight (0: only report), [5] `w` when the caller
 * waited for its turn, so its grant may be counted from up to half a millisecond before now.
 *
 * Reply `{ granted, ms, available, version }`: granted 1, ms is the grant's Redis time; granted 0,
 * ms is how long until the weight could be granted (-1 for a report). A refusal writes nothing, so a
 * caller that then gives up leaves nothing behind. A grant publishes `version,available` on the
 * key's name. The hash expires once the arrival time is over half a ms past, when the bucket is
 * full again: an absent hash is a full bucket, unless the server is too young to know. A server
 * restarted without persistence forgets the hash of a bucket that was not full; so on a server
 * younger than a full bucket's refill, an absent hash counts as a bucket that was empty when the
 * server started (`uptime_in_seconds` is whole seconds, so the start is taken no earlier than it
 * was). No grant made before a restart can then add to those after it beyond the bound.
 * @internal
 */
export const RATE = `
local key = KEYS[1]
local limit, interval, burst, weight = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local version = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local stored = redis.call('HMGET', key, 't', 'd')
local ahead
if stored[1] then
  ahead = tonumber(stored[2]) - math.max(0, now - tonumber(stored[1])) * limit
else
  ahead = burst * interval - tonumber(string.match(redis.call('INFO', 'server'), 'uptime_in_seconds:(%d+)')) * 1000 * limit
end
local function available()
  return math.max(0, math.min(burst, math.floor((2 * burst * interval + limit - 2 * math.max(0, ahead) - 1) / (2 * interval))))
end
if weight == 0 then return { 0, -1, available(), version } end
local excess = 2 * (ahead + (weight - burst) * interval) - limit
if excess >= 0 then return { 0, math.floor(excess / (2 * limit)) + 1, available(), version } end
ahead = math.max(ARGV[5] == 'w' and -limit / 2 or 0, ahead) + weight * interval
redis.call('HSET', key, 't', now, 'd', ahead)
redis.call('PEXPIRE', key, math.ceil(ahead / limit) + 1)
local free = available()
redis.call('PUBLISH', key, string.format('%.0f', version) .. ',' .. free)
return { 1, now, free, version }
`;
