/**
 * Cluster-wide set of running executions per worker (a Redis sorted set scored by lease expiry). It backs the
 * overlap policy of cron fires and the live "running/idle" state; entries of crashed processes expire.
 */
import type { Redis } from 'ioredis';
import type { RedisKeys } from './redis';

// KEYS[1] set; ARGV: now, expiry, member, mustBeAlone(1|0). Returns 1 when joined, 0 when another run holds it.
const JOIN = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if ARGV[4] == '1' then
  local others = redis.call('ZCARD', KEYS[1]) - (redis.call('ZSCORE', KEYS[1], ARGV[3]) and 1 or 0)
  if others > 0 then return 0 end
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`;

// KEYS[1] set; ARGV: member, now. Returns how many runs remain.
const LEAVE = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
return redis.call('ZCARD', KEYS[1])`;

export class RunningSet {
  constructor(private readonly redis: Redis, private readonly keys: RedisKeys, private readonly ttlMs: number) {}

  /** Joins the set; with `alone` it refuses when another execution of the worker is running. */
  async join(workerId: string, executionId: string, alone: boolean): Promise<boolean> {
    const now = Date.now();
    const res = await this.redis.eval(JOIN, 1, this.keys.overlap(workerId), now, now + this.ttlMs, executionId, alone ? '1' : '0', this.ttlMs * 2);
    return res === 1;
  }

  renew(workerId: string, executionId: string): void {
    this.redis.zadd(this.keys.overlap(workerId), 'XX', Date.now() + this.ttlMs, executionId).catch(() => undefined);
  }

  /** Leaves the set; resolves to the number of runs still going. */
  async leave(workerId: string, executionId: string): Promise<number> {
    return (await this.redis.eval(LEAVE, 1, this.keys.overlap(workerId), executionId, Date.now())) as number;
  }
}
