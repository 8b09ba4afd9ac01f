-- Applies one folded batch of live-state changes (live-runs.fold.ts builds the entries).
-- ARGV: now, lease ttl, channel, state key prefix, running-set key prefix, takes key prefix, ts, entries (JSON),
--       events (JSON texts joined by commas), merged fields per worker (JSON).
-- Per worker: a sorted set of running executions scored by lease expiry, and a hash execution -> take (fence).
-- A change whose take is older than the entry's is ignored: a process that lost a job's lock cannot remove or
-- renew the entry of the process that took the job over.
-- Returns, per entry: { running count, failure streak, re-added by renewal, ignored as fenced out }.
local now, ttl, channel, statePrefix, setPrefix, takesPrefix, ts = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local entries = cjson.decode(ARGV[8])
local given = ARGV[9]
local merged = cjson.decode(ARGV[10])
local out, events, groups, order = {}, {}, {}, {}
local refused = {}

-- Variadic commands in chunks (Lua's unpack has a stack limit).
local function chunked(list, fn)
  local step = 500
  for s = 1, #list, step do
    local args = {}
    for k = s, math.min(s + step - 1, #list) do args[#args + 1] = list[k] end
    fn(args)
  end
end

local function group(w)
  local g = groups[w]
  if g then return g end
  local set, takes = setPrefix .. w, takesPrefix .. w
  local lapsed = redis.call('ZRANGEBYSCORE', set, '-inf', now)
  if #lapsed > 0 then
    redis.call('ZREMRANGEBYSCORE', set, '-inf', now)
    chunked(lapsed, function(ids) redis.call('HDEL', takes, unpack(ids)) end)
  end
  local cur = redis.call('HMGET', statePrefix .. w, 'state', 'consecutive_failures')
  g = { set = set, takes = takes, state = cur[1] or '', failures = tonumber(cur[2]) or 0, fields = {}, added = false, touched = false, lastStarted = nil }
  groups[w] = g
  order[#order + 1] = w
  return g
end

-- The pairs whose take is not older than the entry's (nil take = no entry, or one written before fencing).
local function current(g, list)
  local ok, stale = {}, 0
  chunked(list, function(part)
    local ids = {}
    for k = 1, #part do ids[k] = part[k][1] end
    local held = redis.call('HMGET', g.takes, unpack(ids))
    for k = 1, #part do
      local t = tonumber(held[k])
      if t == nil or t <= tonumber(part[k][2]) then ok[#ok + 1] = part[k] else stale = stale + 1 end
    end
  end)
  return ok, stale
end

-- Joins the set (fresh lease) under the given takes; returns how many were not in the set before.
local function join(g, list)
  local fresh = 0
  chunked(list, function(part)
    local z, h = {}, {}
    for k = 1, #part do
      z[#z + 1] = now + ttl
      z[#z + 1] = part[k][1]
      h[#h + 1] = part[k][1]
      h[#h + 1] = part[k][2]
    end
    fresh = fresh + redis.call('ZADD', g.set, unpack(z))
    redis.call('HSET', g.takes, unpack(h))
  end)
  if #list > 0 then g.added = true end
  return fresh
end

local function leave(g, list)
  chunked(list, function(part)
    local ids = {}
    for k = 1, #part do ids[k] = part[k][1] end
    redis.call('ZREM', g.set, unpack(ids))
    redis.call('HDEL', g.takes, unpack(ids))
  end)
end

local function applyGroup(g, e)
  local adds, stale1 = current(g, e[3])
  local rems, stale2 = current(g, e[4])
  local renews, stale3 = current(g, e[6])
  local flags = e[5]
  join(g, adds)
  if #adds > 0 then g.lastStarted = adds[#adds][1] end
  local readded = join(g, renews)
  if readded > 0 then
    -- A run of this process had lapsed (renewals failed): it is running again in the live state.
    g.touched = true
    g.lastStarted = g.lastStarted or renews[#renews][1]
  end
  leave(g, rems)
  for k = 1, #flags do
    if string.byte(flags, k) == 49 then g.failures = 0 else g.failures = g.failures + 1 end
  end
  if #flags > 0 then g.fields.consecutive_failures = g.failures end
  if #e[3] > 0 or #e[4] > 0 or #flags > 0 then g.touched = true end
  return { redis.call('ZCARD', g.set), g.failures, readded, stale1 + stale2 + stale3 }
end

local function applyAlone(g, e)
  local x = e[3]
  local others = redis.call('ZCARD', g.set) - (redis.call('ZSCORE', g.set, x) and 1 or 0)
  if others > 0 then
    if e[7] > 0 then refused[#refused + 1] = e end
    return { 0, 0, 0, 0 }
  end
  local ok, stale = current(g, { { x, e[4] } })
  if #ok == 0 then return { 0, 0, 0, stale } end
  join(g, ok)
  g.touched = true
  g.lastStarted = x
  for k, v in pairs(e[5]) do g.fields[k] = v end
  return { 1, 0, 0, 0 }
end

for i, e in ipairs(entries) do
  local g = group(e[2])
  if e[1] == 'g' then out[i] = applyGroup(g, e) else out[i] = applyAlone(g, e) end
end

for _, w in ipairs(order) do
  local g = groups[w]
  if g.touched then
    -- The state after the whole batch; a worker.state event when it differs from the state before it.
    local running = redis.call('ZCARD', g.set)
    local s = 'idle'
    if running > 0 then s = 'running' end
    g.fields.state = s
    if s == 'idle' then
      g.fields.execution_id = ''
    elseif g.lastStarted then
      g.fields.execution_id = g.lastStarted
    end
    if g.state ~= s then
      local x = cjson.null
      if s == 'running' and g.lastStarted then x = g.lastStarted end
      events[#events + 1] = cjson.encode({ type = 'worker.state', ts = ts, data = { workerId = w, state = s, executionId = x } })
    end
  end
  if g.added then
    redis.call('PEXPIRE', g.set, ttl * 2)
    redis.call('PEXPIRE', g.takes, ttl * 2)
  end
  local args = {}
  local mf = merged[w]
  if mf then
    for k, v in pairs(mf) do
      if g.fields[k] == nil then
        args[#args + 1] = k
        args[#args + 1] = v
      end
    end
  end
  for k, v in pairs(g.fields) do
    args[#args + 1] = k
    args[#args + 1] = v
  end
  if #args > 0 then redis.call('HSET', statePrefix .. w, unpack(args)) end
end

if #refused > 0 then
  -- Rare (overlap): rebuild the given events without those of refused starts.
  local texts = cjson.decode('[' .. given .. ']')
  local skip = {}
  for _, e in ipairs(refused) do
    for j = e[6], e[6] + e[7] - 1 do skip[j + 1] = true end
  end
  local kept = {}
  for j, ev in ipairs(texts) do
    if not skip[j] then kept[#kept + 1] = cjson.encode(ev) end
  end
  given = table.concat(kept, ',')
end
local all = given
if #events > 0 then
  if all ~= '' then all = all .. ',' end
  all = all .. table.concat(events, ',')
end
if all ~= '' then redis.call('PUBLISH', channel, '[' .. all .. ']') end
return out
