/**
 * The live side of runs: a cluster-wide set of running executions per worker (a sorted set scored by lease
 * expiry, so entries of crashed processes lapse), each worker's live-state hash, and the events. The set backs
 * the overlap policy of cron fires and the running/idle state.
 *
 * Starts and finishes are group-committed: they queue up and travel together in one script call, at most one
 * call every `flushIntervalMs` (the first change after a quiet spell goes out at once). At high job rates this
 * keeps the live view to a few Redis calls per second instead of two per job; a start that must know whether it
 * may run (overlap) is sent at once. Within a call each worker's hash is written once, its `worker.state` event
 * is published only when the state changes, and all events of the call go out as one message (a JSON array).
 */
import type { Redis } from 'ioredis';
import type { RedisKeys } from './redis';
import type { WorkerStatusSnapshot } from './execution-recorder';

// ARGV: now, lease ttl, channel, state key prefix, running-set key prefix, ts, ops (JSON array), events, fields.
// Each op: [kind 's'|'f', worker, execution, flag (start: alone; finish: succeeded), own fields, first event, event count].
// Fields are merged per worker in Node (the last write of a key wins, as it would in Redis) and sent once per worker;
// only a start that may be refused (alone) carries its own, applied if it is accepted.
// Events travel apart, as their JSON texts joined by commas (no JSON-in-JSON escaping); a start refused for
// overlap drops its events, so they are addressed by position.
const APPLY = `
local now, ttl, channel, statePrefix, setPrefix, ts = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local ops = cjson.decode(ARGV[7])
local given = ARGV[8]
local merged = cjson.decode(ARGV[9])
local out, events, groups, order = {}, {}, {}, {}
local refused = {}
-- Variadic commands in chunks (Lua's unpack has a stack limit).
local function variadic(cmd, key, list)
  for s = 1, #list, 1000 do
    redis.call(cmd, key, unpack(list, s, math.min(s + 999, #list)))
  end
end
local function group(w)
  local g = groups[w]
  if g then return g end
  local set = setPrefix .. w
  redis.call('ZREMRANGEBYSCORE', set, '-inf', now)
  local cur = redis.call('HMGET', statePrefix .. w, 'state', 'consecutive_failures')
  g = { set = set, state = cur[1] or '', failures = tonumber(cur[2]) or 0, fields = {}, added = false,
        pending = {}, touched = false, lastStarted = nil, finishes = {} }
  groups[w] = g
  order[#order + 1] = w
  return g
end
-- Membership changes are kept per execution (the last one wins) and written in one ZADD and one ZREM.
local function applyPending(g)
  local adds, rems = {}, {}
  for x, present in pairs(g.pending) do
    if present then
      adds[#adds + 1] = now + ttl
      adds[#adds + 1] = x
    else
      rems[#rems + 1] = x
    end
  end
  if #adds > 0 then
    variadic('ZADD', g.set, adds)
    g.added = true
  end
  if #rems > 0 then variadic('ZREM', g.set, rems) end
  g.pending = {}
end
for i, op in ipairs(ops) do
  local kind, w, x, flag, fields = op[1], op[2], op[3], op[4], op[5]
  local g = group(w)
  if kind == 's' then
    local ok = 1
    if flag == 1 then
      applyPending(g)
      local others = redis.call('ZCARD', g.set) - (redis.call('ZSCORE', g.set, x) and 1 or 0)
      if others > 0 then ok = 0 end
    end
    if ok == 1 then
      g.pending[x] = true
      g.touched = true
      g.lastStarted = x
      for k, v in pairs(fields) do g.fields[k] = v end
    elseif op[7] > 0 then
      refused[#refused + 1] = op
    end
    out[i] = { ok, 0 }
  else
    g.pending[x] = false
    g.touched = true
    if flag == 1 then g.failures = 0 else g.failures = g.failures + 1 end
    g.finishes[#g.finishes + 1] = { i, g.failures }
  end
end
for _, w in ipairs(order) do
  local g = groups[w]
  applyPending(g)
  if g.touched then
    -- The state after the whole batch; a worker.state event when it differs from the state before it.
    local running = redis.call('ZCARD', g.set)
    for _, f in ipairs(g.finishes) do out[f[1]] = { running, f[2] } end
    if #g.finishes > 0 then g.fields.consecutive_failures = g.failures end
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
  if g.added then redis.call('PEXPIRE', g.set, ttl * 2) end
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
  for _, op in ipairs(refused) do
    for j = op[6], op[6] + op[7] - 1 do skip[j + 1] = true end
  end
  local kept = {}
  for j, e in ipairs(texts) do
    if not skip[j] then kept[#kept + 1] = cjson.encode(e) end
  end
  given = table.concat(kept, ',')
end
local all = given
if #events > 0 then
  if all ~= '' then all = all .. ',' end
  all = all .. table.concat(events, ',')
end
if all ~= '' then redis.call('PUBLISH', channel, '[' .. all .. ']') end
return out`;

export type Fields = Record<string, string | number>;
const NONE: Fields = Object.freeze({}) as Fields;
type Events = Array<[string, Record<string, unknown>]>;
type Op = [kind: 's' | 'f', workerId: string, executionId: string, flag: 0 | 1, ownFields: Fields, firstEvent: number, eventCount: number];
interface Pending {
  op: Op;
  fields: Fields;
  events: Events;
  at: number;
  /** Only for a caller that waits for the answer (an overlap check). */
  resolve?: (r: [number, number]) => void;
  reject?: (err: unknown) => void;
}
type ApplyScript = (...args: Array<string | number>) => Promise<Array<[number, number]>>;

/** What a finished run contributes to its worker's durable status; state and failure streak come from Redis. */
export type EndedStatus = Omit<WorkerStatusSnapshot, 'state' | 'consecutiveFailures'>;

export interface LiveRunsOptions {
  /** Lease of a running-set entry; renewed while the run goes on. */
  ttlMs: number;
  /** Shortest time between two script calls (group commit). @defaultValue 10 */
  flushIntervalMs?: number;
  /** Receives each worker's status after a batch of run ends was applied (once per worker and batch). */
  onStatus?: (status: WorkerStatusSnapshot) => void;
  /** A batch could not be applied (Redis unreachable); called at most once per 10 s. */
  onError?: (err: unknown) => void;
}

export class LiveRuns {
  private pending: Pending[] = [];
  private statuses = new Map<string, EndedStatus>();
  private timer: NodeJS.Timeout | null = null;
  private immediate = false;
  private lastFlush = 0;
  private lastErrorReport = 0;
  private readonly apply: ApplyScript;
  private readonly ttlMs: number;
  private readonly interval: number;

  constructor(private readonly redis: Redis, private readonly keys: RedisKeys, private readonly opts: LiveRunsOptions) {
    this.ttlMs = opts.ttlMs;
    this.interval = Math.max(0, opts.flushIntervalMs ?? 10);
    // defineCommand sends EVALSHA (the script body travels once per connection).
    if (!('sluiceLiveRuns3' in redis)) redis.defineCommand('sluiceLiveRuns3', { numberOfKeys: 0, lua: APPLY });
    this.apply = (redis as unknown as { sluiceLiveRuns3: ApplyScript }).sluiceLiveRuns3.bind(redis);
  }

  /**
   * Joins the running set only if no other run of the worker is going (overlap check); on success sets the live
   * fields and publishes the events. Sent at once: the caller waits for the answer.
   */
  startAlone(workerId: string, executionId: string, fields: Fields, events: Events): Promise<boolean> {
    return new Promise<[number, number]>((resolve, reject) => {
      this.pending.push({ op: ['s', workerId, executionId, 1, fields, 0, 0], fields: NONE, events, at: Date.now(), resolve, reject });
      this.schedule(true);
    }).then(([ok]) => ok === 1);
  }

  /** Joins the running set, sets live fields, publishes events: in the next group commit, nothing to wait for. */
  start(workerId: string, executionId: string, fields: Fields, events: Events): void {
    this.pending.push({ op: ['s', workerId, executionId, 0, NONE, 0, 0], fields, events, at: Date.now() });
    this.schedule(false);
  }

  /**
   * Leaves the set, updates live state and the failure streak, publishes events. `status` (a final end) is merged
   * into the worker's durable status, reported through `onStatus` with the resulting state once the batch is
   * applied. `urgent` sends it at once (a cron fire whose end another fire's overlap check may be waiting for).
   */
  finish(workerId: string, executionId: string, succeeded: boolean, fields: Fields, events: Events, status: EndedStatus | null, urgent = false): void {
    this.pending.push({ op: ['f', workerId, executionId, succeeded ? 1 : 0, NONE, 0, 0], fields, events, at: Date.now() });
    if (status) {
      const prev = this.statuses.get(workerId);
      this.statuses.set(workerId, prev ? mergeEnded(prev, status) : status);
    }
    this.schedule(urgent);
  }

  /** Extends the leases of running executions (one command per worker). */
  renew(running: Map<string, string[]>): void {
    const expiry = Date.now() + this.ttlMs;
    for (const [workerId, ids] of running) {
      if (!ids.length) continue;
      const args: Array<string | number> = [];
      for (const id of ids) args.push(expiry, id);
      this.redis.zadd(this.keys.overlap(workerId), 'XX', ...args).catch(() => undefined);
    }
  }

  /** Sends whatever is queued now (shutdown). */
  async flushNow(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length) await this.flush();
  }

  private schedule(urgent: boolean): void {
    if (this.immediate) return;
    const wait = urgent ? 0 : this.lastFlush + this.interval - Date.now();
    if (wait <= 0) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.immediate = true;
      setImmediate(() => {
        this.immediate = false;
        void this.flush();
      });
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.flush();
      }, wait);
    }
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    if (!batch.length) return;
    const statuses = this.statuses;
    this.pending = [];
    this.statuses = new Map();
    const now = Date.now();
    this.lastFlush = now;
    try {
      const ts = new Date(now).toISOString();
      const ops: Op[] = [];
      let texts = '';
      let count = 0;
      let atMs = now;
      let at = ts;
      const merged: Record<string, Fields> = {};
      for (const p of batch) {
        if (p.fields !== NONE) Object.assign((merged[p.op[1]] ??= {}), p.fields);
        p.op[5] = count;
        p.op[6] = p.events.length;
        if (p.events.length && p.at !== atMs) {
          atMs = p.at;
          at = new Date(atMs).toISOString();
        }
        // Each event carries the time it happened, not the time it was sent.
        for (const [type, data] of p.events) texts += (count++ ? ',' : '') + JSON.stringify({ type, ts: at, data });
        ops.push(p.op);
      }
      const out = await this.apply(now, this.ttlMs, this.keys.events, this.keys.state(''), this.keys.overlap(''), ts, JSON.stringify(ops), texts, JSON.stringify(merged));
      // A worker's state after the batch is what its last end in the batch saw.
      const after = new Map<string, [number, number]>();
      for (let i = 0; i < batch.length; i++) {
        const p = batch[i];
        p.resolve?.(out[i]);
        if (p.op[0] === 'f') after.set(p.op[1], out[i]);
      }
      if (this.opts.onStatus) {
        for (const [workerId, st] of statuses) {
          const [running, failures] = after.get(workerId) ?? [0, 0];
          this.opts.onStatus({ ...st, state: running > 0 ? 'running' : 'idle', consecutiveFailures: failures });
        }
      }
    } catch (err) {
      for (const p of batch) p.reject?.(err);
      if (Date.now() - this.lastErrorReport >= 10_000) {
        this.lastErrorReport = Date.now();
        this.opts.onError?.(err);
      }
    }
  }
}

/** Later values win; a run that ended without an error or result keeps the earlier ones (as the MySQL upsert does). */
function mergeEnded(a: EndedStatus, b: EndedStatus): EndedStatus {
  return {
    workerId: b.workerId,
    lastExecutionId: b.lastExecutionId ?? a.lastExecutionId,
    lastStartedAt: b.lastStartedAt ?? a.lastStartedAt,
    lastFinishedAt: b.lastFinishedAt ?? a.lastFinishedAt,
    lastResult: b.lastResult ?? a.lastResult,
    lastError: b.lastError ?? a.lastError,
  };
}
