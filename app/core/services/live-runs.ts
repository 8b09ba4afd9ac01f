/**
 * The live side of runs: a cluster-wide set of running executions per worker (a sorted set scored by lease
 * expiry, so entries of crashed processes lapse), each worker's live-state hash, and the events. The set backs
 * the overlap policy of cron fires and the running/idle state.
 *
 * Starts and finishes issued in the same tick travel together in one script call: at high job rates this keeps
 * the live view to about one Redis round trip per batch of jobs instead of two per job.
 */
import type { Redis } from 'ioredis';
import type { RedisKeys } from './redis';

// ARGV: now, lease ttl, channel, state key prefix, running-set key prefix, ts, ops (JSON array).
// Each op: { o = 's'|'f', w = worker, x = execution, a = alone (start), k = succeeded (finish), f = fields, e = events }.
const APPLY = `
local now, ttl, channel, statePrefix, setPrefix, ts = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local ops = cjson.decode(ARGV[7])
local out = {}
for i, op in ipairs(ops) do
  local set, state = setPrefix .. op.w, statePrefix .. op.w
  redis.call('ZREMRANGEBYSCORE', set, '-inf', now)
  if op.o == 's' then
    local ok = 1
    if op.a == 1 then
      local others = redis.call('ZCARD', set) - (redis.call('ZSCORE', set, op.x) and 1 or 0)
      if others > 0 then ok = 0 end
    end
    if ok == 1 then
      redis.call('ZADD', set, now + ttl, op.x)
      redis.call('PEXPIRE', set, ttl * 2)
      for k, v in pairs(op.f) do redis.call('HSET', state, k, v) end
      for _, e in ipairs(op.e) do redis.call('PUBLISH', channel, e) end
    end
    out[i] = { ok, 0 }
  else
    redis.call('ZREM', set, op.x)
    local running = redis.call('ZCARD', set)
    local failures = 0
    if op.k == 1 then redis.call('HSET', state, 'consecutive_failures', 0)
    else failures = redis.call('HINCRBY', state, 'consecutive_failures', 1) end
    for k, v in pairs(op.f) do redis.call('HSET', state, k, v) end
    local s = 'idle'
    if running > 0 then s = 'running' else redis.call('HSET', state, 'execution_id', '') end
    redis.call('HSET', state, 'state', s)
    for _, e in ipairs(op.e) do redis.call('PUBLISH', channel, e) end
    redis.call('PUBLISH', channel, cjson.encode({ type = 'worker.state', ts = ts, data = { workerId = op.w, state = s } }))
    out[i] = { running, failures }
  end
end
return out`;

export type Fields = Record<string, string | number>;
type Events = Array<[string, Record<string, unknown>]>;
interface Op { o: 's' | 'f'; w: string; x: string; a?: 0 | 1; k?: 0 | 1; f: Fields; e: string[] }
interface Pending { op: Op; resolve: (r: [number, number]) => void; reject: (err: unknown) => void }
type ApplyScript = (...args: Array<string | number>) => Promise<Array<[number, number]>>;

export class LiveRuns {
  private pending: Pending[] = [];
  private scheduled = false;
  private readonly apply: ApplyScript;

  constructor(private readonly redis: Redis, private readonly keys: RedisKeys, private readonly ttlMs: number) {
    // defineCommand sends EVALSHA (the script body travels once per connection).
    if (!('sluiceLiveRuns' in redis)) redis.defineCommand('sluiceLiveRuns', { numberOfKeys: 0, lua: APPLY });
    this.apply = (redis as unknown as { sluiceLiveRuns: ApplyScript }).sluiceLiveRuns.bind(redis);
  }

  private encode(events: Events): string[] {
    const ts = new Date().toISOString();
    return events.map(([type, data]) => JSON.stringify({ type, ts, data }));
  }

  /** Joins the running set (refused when `alone` and another run is going), sets live fields, publishes events. */
  async start(workerId: string, executionId: string, alone: boolean, fields: Fields, events: Events): Promise<boolean> {
    const [ok] = await this.submit({ o: 's', w: workerId, x: executionId, a: alone ? 1 : 0, f: fields, e: this.encode(events) });
    return ok === 1;
  }

  /** Leaves the set, updates live state and the failure streak, publishes events; returns the resulting state. */
  async finish(workerId: string, executionId: string, succeeded: boolean, fields: Fields, events: Events): Promise<{ state: 'running' | 'idle'; consecutiveFailures: number }> {
    const [running, failures] = await this.submit({ o: 'f', w: workerId, x: executionId, k: succeeded ? 1 : 0, f: fields, e: this.encode(events) });
    return { state: running > 0 ? 'running' : 'idle', consecutiveFailures: failures };
  }

  renew(workerId: string, executionId: string): void {
    this.redis.zadd(this.keys.overlap(workerId), 'XX', Date.now() + this.ttlMs, executionId).catch(() => undefined);
  }

  private submit(op: Op): Promise<[number, number]> {
    return new Promise((resolve, reject) => {
      this.pending.push({ op, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.scheduled = false;
    try {
      const now = Date.now();
      const out = await this.apply(now, this.ttlMs, this.keys.events, this.keys.state(''), this.keys.overlap(''), new Date(now).toISOString(), JSON.stringify(batch.map((p) => p.op)));
      batch.forEach((p, i) => p.resolve(out[i]));
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }
}
