/**
 * The live side of a run, one Redis round trip at each end: a cluster-wide set of running executions per worker
 * (a sorted set scored by lease expiry, so entries of crashed processes lapse), the worker's live-state hash, and
 * the events. The set backs the overlap policy of cron fires and the running/idle state.
 */
import type { Redis } from 'ioredis';
import type { RedisKeys } from './redis';

// KEYS: running set, state hash. ARGV: now, expiry, member, alone(1|0), set ttl, fields json, channel, events…
const START = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if ARGV[4] == '1' then
  local others = redis.call('ZCARD', KEYS[1]) - (redis.call('ZSCORE', KEYS[1], ARGV[3]) and 1 or 0)
  if others > 0 then return 0 end
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
local fields = cjson.decode(ARGV[6])
for k, v in pairs(fields) do redis.call('HSET', KEYS[2], k, v) end
for i = 8, #ARGV do redis.call('PUBLISH', ARGV[7], ARGV[i]) end
return 1`;

// KEYS: running set, state hash. ARGV: member, now, succeeded(1|0), fields json, channel, worker id, ts, events…
// Returns { runs still going, consecutive failures }.
const FINISH = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
local running = redis.call('ZCARD', KEYS[1])
local failures = 0
if ARGV[3] == '1' then redis.call('HSET', KEYS[2], 'consecutive_failures', 0)
else failures = redis.call('HINCRBY', KEYS[2], 'consecutive_failures', 1) end
local fields = cjson.decode(ARGV[4])
for k, v in pairs(fields) do redis.call('HSET', KEYS[2], k, v) end
local state = 'idle'
if running > 0 then state = 'running' else redis.call('HSET', KEYS[2], 'execution_id', '') end
redis.call('HSET', KEYS[2], 'state', state)
for i = 8, #ARGV do redis.call('PUBLISH', ARGV[5], ARGV[i]) end
redis.call('PUBLISH', ARGV[5], cjson.encode({ type = 'worker.state', ts = ARGV[7], data = { workerId = ARGV[6], state = state } }))
return { running, failures }`;

export type Fields = Record<string, string | number>;

export class LiveRuns {
  constructor(private readonly redis: Redis, private readonly keys: RedisKeys, private readonly ttlMs: number) {}

  private event(type: string, data: Record<string, unknown>): string {
    return JSON.stringify({ type, ts: new Date().toISOString(), data });
  }

  /** Joins the running set (refusing when `alone` and another run is going), sets live fields, publishes events. */
  async start(workerId: string, executionId: string, alone: boolean, fields: Fields, events: Array<[string, Record<string, unknown>]>): Promise<boolean> {
    const now = Date.now();
    const payloads = events.map(([type, data]) => this.event(type, data));
    const res = await this.redis.eval(START, 2, this.keys.overlap(workerId), this.keys.state(workerId),
      now, now + this.ttlMs, executionId, alone ? '1' : '0', this.ttlMs * 2, JSON.stringify(fields), this.keys.events, ...payloads);
    return res === 1;
  }

  renew(workerId: string, executionId: string): void {
    this.redis.zadd(this.keys.overlap(workerId), 'XX', Date.now() + this.ttlMs, executionId).catch(() => undefined);
  }

  /** Leaves the set, updates live state and failure streak, publishes events; returns the resulting state. */
  async finish(workerId: string, executionId: string, succeeded: boolean, fields: Fields, events: Array<[string, Record<string, unknown>]>): Promise<{ state: 'running' | 'idle'; consecutiveFailures: number }> {
    const ts = new Date().toISOString();
    const payloads = events.map(([type, data]) => this.event(type, data));
    const [running, failures] = (await this.redis.eval(FINISH, 2, this.keys.overlap(workerId), this.keys.state(workerId),
      executionId, Date.now(), succeeded ? '1' : '0', JSON.stringify(fields), this.keys.events, workerId, ts, ...payloads)) as [number, number];
    return { state: running > 0 ? 'running' : 'idle', consecutiveFailures: failures };
  }
}
