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
import { mergeStatus, type WorkerStatusSnapshot } from './execution-recorder';

// ARGV: now, lease ttl, channel, state key prefix, running-set key prefix, ts, entries (JSON array), events, fields.
// Node folds the batch per worker into segments, so the script's work does not grow with the number of runs:
//   ['g', worker, adds, removes, flags] — executions still running at the segment's end that were not in the set,
//     executions that ended and were in the set, and one '1'/'0' per run end (succeeded or not), in order;
//   ['a', worker, execution, fields, first event, event count] — a start that may be refused (overlap); it closes
//     its worker's open segment, so it sees the set as the changes before it left it.
// A run that starts and ends within one segment never touches the set. Fields are merged per worker in Node (the
// last write of a key wins) and sent once; an 'a' start carries its own, applied if it is accepted. Events travel
// apart, as their JSON texts joined by commas (no JSON-in-JSON escaping); a refused start's are dropped by position.
const APPLY = `
local now, ttl, channel, statePrefix, setPrefix, ts = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local entries = cjson.decode(ARGV[7])
local given = ARGV[8]
local merged = cjson.decode(ARGV[9])
local out, events, groups, order = {}, {}, {}, {}
local refused = {}
-- Variadic commands in chunks (Lua's unpack has a stack limit).
local function variadic(cmd, key, list, scored)
  local step = 500
  for s = 1, #list, step do
    local args = {}
    for k = s, math.min(s + step - 1, #list) do
      if scored then args[#args + 1] = now + ttl end
      args[#args + 1] = list[k]
    end
    redis.call(cmd, key, unpack(args))
  end
end
local function group(w)
  local g = groups[w]
  if g then return g end
  local set = setPrefix .. w
  redis.call('ZREMRANGEBYSCORE', set, '-inf', now)
  local cur = redis.call('HMGET', statePrefix .. w, 'state', 'consecutive_failures')
  g = { set = set, state = cur[1] or '', failures = tonumber(cur[2]) or 0, fields = {}, added = false, touched = false, lastStarted = nil }
  groups[w] = g
  order[#order + 1] = w
  return g
end
for i, e in ipairs(entries) do
  local g = group(e[2])
  if e[1] == 'g' then
    local adds, rems, flags = e[3], e[4], e[5]
    if #adds > 0 then
      variadic('ZADD', g.set, adds, true)
      g.added = true
      g.lastStarted = adds[#adds]
    end
    if #rems > 0 then variadic('ZREM', g.set, rems, false) end
    for k = 1, #flags do
      if string.byte(flags, k) == 49 then g.failures = 0 else g.failures = g.failures + 1 end
    end
    if #flags > 0 then g.fields.consecutive_failures = g.failures end
    g.touched = true
    out[i] = { redis.call('ZCARD', g.set), g.failures }
  else
    local x = e[3]
    local others = redis.call('ZCARD', g.set) - (redis.call('ZSCORE', g.set, x) and 1 or 0)
    if others > 0 then
      if e[6] > 0 then refused[#refused + 1] = e end
      out[i] = { 0, 0 }
    else
      redis.call('ZADD', g.set, now + ttl, x)
      g.added = true
      g.touched = true
      g.lastStarted = x
      for k, v in pairs(e[4]) do g.fields[k] = v end
      out[i] = { 1, 0 }
    end
  end
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
  for _, e in ipairs(refused) do
    for j = e[5], e[5] + e[6] - 1 do skip[j + 1] = true end
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
return out`;

export type Fields = Record<string, string | number>;
type Events = Array<[string, Record<string, unknown>]>;
/** One change: a start ('s', `alone` when it may be refused) or an end ('f'). */
interface Op {
  kind: 's' | 'f';
  workerId: string;
  executionId: string;
  /** Start: may be refused (overlap). End: the run succeeded. */
  flag: boolean;
}
type GroupEntry = ['g', workerId: string, adds: string[], removes: string[], flags: string];
type AloneEntry = ['a', workerId: string, executionId: string, fields: Fields, firstEvent: number, eventCount: number];
interface Segment {
  entry: GroupEntry;
  adds: Set<string>;
  removes: Set<string>;
}
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
  private readonly inFlight = new Set<Promise<void>>();
  private readonly apply: ApplyScript;
  private readonly ttlMs: number;
  private readonly interval: number;

  constructor(private readonly redis: Redis, private readonly keys: RedisKeys, private readonly opts: LiveRunsOptions) {
    this.ttlMs = opts.ttlMs;
    this.interval = Math.max(0, opts.flushIntervalMs ?? 10);
    // defineCommand sends EVALSHA (the script body travels once per connection).
    if (!('sluiceLiveRuns4' in redis)) redis.defineCommand('sluiceLiveRuns4', { numberOfKeys: 0, lua: APPLY });
    this.apply = (redis as unknown as { sluiceLiveRuns4: ApplyScript }).sluiceLiveRuns4.bind(redis);
  }

  /**
   * Joins the running set only if no other run of the worker is going (overlap check); on success sets the live
   * fields and publishes the events. Sent at once: the caller waits for the answer.
   */
  startAlone(workerId: string, executionId: string, fields: Fields, events: Events): Promise<boolean> {
    return new Promise<[number, number]>((resolve, reject) => {
      this.pending.push({ op: { kind: 's', workerId, executionId, flag: true }, fields, events, at: Date.now(), resolve, reject });
      this.schedule(true);
    }).then(([ok]) => ok === 1);
  }

  /** Joins the running set, sets live fields, publishes events: in the next group commit, nothing to wait for. */
  start(workerId: string, executionId: string, fields: Fields, events: Events): void {
    this.pending.push({ op: { kind: 's', workerId, executionId, flag: false }, fields, events, at: Date.now() });
    this.schedule(false);
  }

  /**
   * Leaves the set, updates live state and the failure streak, publishes events. `status` (a final end) is merged
   * into the worker's durable status, reported through `onStatus` with the resulting state once the batch is
   * applied. `urgent` sends it at once (a cron fire whose end another fire's overlap check may be waiting for).
   */
  finish(workerId: string, executionId: string, succeeded: boolean, fields: Fields, events: Events, status: EndedStatus | null, urgent = false): void {
    this.pending.push({ op: { kind: 'f', workerId, executionId, flag: succeeded }, fields, events, at: Date.now() });
    if (status) {
      const prev = this.statuses.get(workerId);
      this.statuses.set(workerId, prev ? mergeStatus(prev, status) : status);
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

  /** Sends whatever is queued now and waits for every write under way (shutdown). */
  async flushNow(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length) void this.flush();
    await Promise.all([...this.inFlight]);
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

  private flush(): Promise<void> {
    const flight = this.write();
    this.inFlight.add(flight);
    return flight.finally(() => this.inFlight.delete(flight));
  }

  private async write(): Promise<void> {
    const batch = this.pending;
    if (!batch.length) return;
    const statuses = this.statuses;
    this.pending = [];
    this.statuses = new Map();
    const now = Date.now();
    this.lastFlush = now;
    try {
      const ts = new Date(now).toISOString();
      const entries: Array<GroupEntry | AloneEntry> = [];
      /** Entry of each pending that waits for an answer (alone starts), and of each worker's last segment. */
      const answerAt = new Map<Pending, number>();
      const lastSegmentAt = new Map<string, number>();
      const open = new Map<string, Segment>();
      const merged: Record<string, Fields> = {};
      let texts = '';
      let count = 0;
      let atMs = now;
      let at = ts;
      for (const p of batch) {
        const { kind, workerId, executionId, flag } = p.op;
        const first = count;
        if (p.events.length && p.at !== atMs) {
          atMs = p.at;
          at = new Date(atMs).toISOString();
        }
        // Each event carries the time it happened, not the time it was sent.
        for (const [type, data] of p.events) texts += (count++ ? ',' : '') + JSON.stringify({ type, ts: at, data });
        if (kind === 's' && flag) {
          // Decided against the set as the changes before it left it: close the worker's open segment first.
          const before = open.get(workerId);
          if (before) closeSegment(before);
          open.delete(workerId);
          answerAt.set(p, entries.length);
          entries.push(['a', workerId, executionId, p.fields, first, p.events.length]);
          continue;
        }
        Object.assign((merged[workerId] ??= {}), p.fields);
        let seg = open.get(workerId);
        if (!seg) {
          seg = { entry: ['g', workerId, [], [], ''], adds: new Set(), removes: new Set() };
          open.set(workerId, seg);
          lastSegmentAt.set(workerId, entries.length);
          entries.push(seg.entry);
        }
        if (kind === 's') {
          seg.removes.delete(executionId);
          seg.adds.add(executionId);
        } else {
          if (!seg.adds.delete(executionId)) seg.removes.add(executionId);
          seg.entry[4] += flag ? '1' : '0';
        }
      }
      for (const seg of open.values()) closeSegment(seg);
      const out = await this.apply(now, this.ttlMs, this.keys.events, this.keys.state(''), this.keys.overlap(''), ts, JSON.stringify(entries), texts, JSON.stringify(merged));
      for (const [p, i] of answerAt) p.resolve?.(out[i]);
      if (this.opts.onStatus) {
        for (const [workerId, st] of statuses) {
          const i = lastSegmentAt.get(workerId);
          const [running, failures] = i === undefined ? [0, 0] : out[i];
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

function closeSegment(seg: Segment): void {
  seg.entry[2] = [...seg.adds];
  seg.entry[3] = [...seg.removes];
}
