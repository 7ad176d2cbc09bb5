"""The Lua scripts of the Redis store: each touches the keys of one session only.

Every key a script names is declared in ``KEYS`` and carries the same hash tag,
so in a Redis Cluster each script runs on one node, in one slot, atomically.
A script answers with a status word first (``ok``, ``stale``, ``lost``,
``missing``) instead of raising, so the store maps outcomes to the project's
errors in one place (:func:`glitchcart.adapters.stores.redis.RedisSessionStore`).

Event ids are per-session integers ``n``, written as stream ids ``n-1`` (``0-0``
is not a valid stream id and ``n-0`` would read as "any sequence"), from a
counter key that is never deleted, so ids keep rising after trims and deletes.
"""

from __future__ import annotations

# A fence check shared by the scripts that write under a lease: KEYS[2] is the
# session's fence key, ARGV[3] the caller's fence ('' when unfenced).
_FENCE = """
if ARGV[3] ~= '' and redis.call('GET', KEYS[2]) ~= ARGV[3] then return {'lost'} end
"""

# Append ARGV[first], ARGV[first+1] ... as nev (kind, data) events to the stream
# KEYS[3], their ids from the counter KEYS[4]; trims to about ARGV[keep].
_XADD = """
local function xadd(nev, first, keep)
  if nev == 0 then return 0 end
  local last = redis.call('INCRBY', KEYS[4], nev)
  local id = last - nev + 1
  for j = 0, nev - 1 do
    redis.call('XADD', KEYS[3], 'MAXLEN', '~', keep, string.format('%d-1', id + j),
      'k', ARGV[first + 2 * j], 'd', ARGV[first + 2 * j + 1])
  end
  return last
end
"""

# KEYS: rec, fence, events, event counter, games, owned games, then one turn zset
# per game the turns belong to.
# ARGV: 1 expected version, 2 new version, 3 fence, 4 record JSON, 5 summary JSON,
# 6 game id ('' none), 7 game entry JSON, 8 events kept, 9 event count,
# 10 turn count, then (kind, data) per event, then (KEYS index, turn, JSON) per
# turn, then the game ids to check for ownership.
# Answers {'ok', last event id, game ids this session does not own yet...}.
COMMIT = (
    _XADD
    + _FENCE
    + """
local v = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if v ~= tonumber(ARGV[1]) then return {'stale', 'version'} end
local nev, nturns = tonumber(ARGV[9]), tonumber(ARGV[10])
local t0 = 11 + 2 * nev
local g0 = t0 + 3 * nturns
local seen = {}
for i = t0, g0 - 1, 3 do
  local k, n = KEYS[tonumber(ARGV[i])], ARGV[i + 1]
  local id = ARGV[i] .. ':' .. n
  if seen[id] or redis.call('ZCOUNT', k, n, n) > 0 then return {'stale', 'turn', n} end
  seen[id] = true
end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'data', ARGV[4], 'sum', ARGV[5])
if ARGV[6] ~= '' then redis.call('HSET', KEYS[5], ARGV[6], ARGV[7]) end
for i = t0, g0 - 1, 3 do
  redis.call('ZADD', KEYS[tonumber(ARGV[i])], ARGV[i + 1], ARGV[i + 2])
end
local out = {'ok', xadd(nev, 11, ARGV[8])}
for i = g0, #ARGV do
  if redis.call('SISMEMBER', KEYS[6], ARGV[i]) == 0 then out[#out + 1] = ARGV[i] end
end
return out
"""
)

# KEYS: rec (unused), fence, events, event counter. ARGV: 1-2 unused, 3 fence,
# 4 events kept, 5 event count, then (kind, data) per event. Answers {'ok', last id}.
APPEND = (
    _XADD
    + _FENCE
    + """
return {'ok', xadd(tonumber(ARGV[5]), 6, ARGV[4])}
"""
)

# KEYS: events, event counter. ARGV: 1 after, 2 limit.
# Answers {last id, oldest kept stream id or '', stream entries after ARGV[1]...}.
READ = """
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
local oldest = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)
local out = {last, oldest[1] and oldest[1][1] or ''}
local after, limit = tonumber(ARGV[1]), tonumber(ARGV[2])
if limit > 0 and after < last then
  local start = string.format('%d-0', math.max(after, 0) + 1)
  for _, e in ipairs(redis.call('XRANGE', KEYS[1], start, '+', 'COUNT', limit)) do
    out[#out + 1] = e
  end
end
return out
"""

# KEYS: owned games, games, turn zset of the game moved in.
# ARGV: game id, then (turn, JSON) pairs of the previous owner's turns.
# Copies the turns this session does not have yet and marks the game owned.
ADOPT = """
for i = 2, #ARGV, 2 do
  if redis.call('ZCOUNT', KEYS[3], ARGV[i], ARGV[i]) == 0 then
    redis.call('ZADD', KEYS[3], ARGV[i], ARGV[i + 1])
  end
end
redis.call('SADD', KEYS[1], ARGV[1])
return 'ok'
"""

# KEYS: owned games, games, turn zset. ARGV: game id.
# Drops a game from a session's slot (after it moved away, or deleting it).
# Answers 1 if the session had it (an index entry or turns).
DROP = """
local had = redis.call('HDEL', KEYS[2], ARGV[1]) + redis.call('DEL', KEYS[3])
redis.call('SREM', KEYS[1], ARGV[1])
if had > 0 then return 1 else return 0 end
"""

# KEYS: the pointer of a game. ARGV: the session it should name.
# Deletes the pointer only if it still names that session.
FORGET = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

# KEYS: rec, games, owned games, events, then the turn zsets of the game ids in ARGV.
# Deletes the session's record, games, turns and events (not its fence or event
# counter: both must keep rising). Answers {existed, owned game ids not in ARGV...}
# (a game adopted after the caller read the owned set: the caller drops those too).
DELETE = """
local existed = redis.call('DEL', KEYS[1])
local passed = {}
for i = 1, #ARGV do passed[ARGV[i]] = true end
local out = {existed}
for _, g in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  if not passed[g] then out[#out + 1] = g end
end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
for i = 5, #KEYS do redis.call('DEL', KEYS[i]) end
return out
"""

# KEYS: the turn zset of one game. ARGV: (turn, JSON) pairs.
# Replaces every given turn, or none if one is not stored. Answers {'ok'} or
# {'missing', turn}.
REWRITE = """
for i = 1, #ARGV, 2 do
  if redis.call('ZCOUNT', KEYS[1], ARGV[i], ARGV[i]) == 0 then return {'missing', ARGV[i]} end
end
for i = 1, #ARGV, 2 do
  redis.call('ZREMRANGEBYSCORE', KEYS[1], ARGV[i], ARGV[i])
  redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i + 1])
end
return {'ok'}
"""
