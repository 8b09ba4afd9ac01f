/**
 * The API's rate-limit counters: counted in the process and shared through Redis in batches.
 *
 * The stock Redis store makes one round trip per request; on a cached answer (a 304, a health probe, a webhook
 * intake) that round trip was most of the request's time. Here a request is counted locally and answered at once;
 * every `syncMs` the counts made since the last sync are added to the shared Redis counters in one pipeline,
 * whose replies (the global count and the window's remaining time) replace the local view. Within one process
 * the limit is exact; across N processes a client can exceed it by what N-1 processes admit in one `syncMs`
 * before they hear of each other's counts. While Redis is unreachable each process keeps limiting on its own
 * counts, where the stock store let everything through.
 *
 * Windows are fixed, as in the stock store: the first count of a key in Redis starts its window (PEXPIRE), and
 * every process takes the window's end from Redis's PTTL.
 */
import type { Redis } from 'ioredis';

/** INCRBY the batch; start the window when this batch created the key; return the total and the ms left. */
const SYNC_SCRIPT = `
local current = redis.call('INCRBY', KEYS[1], ARGV[1])
if current == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]); ttl = tonumber(ARGV[2]) end
return {current, ttl}
`;

interface Counter {
  /** The global count Redis last reported (local counts alone while Redis has not answered). */
  base: number;
  /** Counted here since the last sync began. */
  pending: number;
  /** Sent to Redis, reply not yet in. */
  inflight: number;
  windowMs: number;
  expiresAt: number;
}

/** A client's count in the current window (this request included) and the ms until the window ends. */
export interface Hit {
  current: number;
  ttl: number;
}

interface RedisWithSync extends Redis {
  sluiceRateSync(key: string, by: number, windowMs: number): Promise<[number, number]>;
}

export interface BatchedStoreOptions {
  /** Key prefix in Redis (the store's name space). */
  prefix: string;
  /** How often local counts are added to the shared counters. @defaultValue API_RATE_LIMIT_SYNC_MS */
  syncMs: number;
  /** A failed sync (reported, then counting goes on locally). */
  onError: (err: Error) => void;
}

/** One map of counters, one timer, one pipeline per sync. */
class Counters {
  readonly map = new Map<string, Counter>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly redis: RedisWithSync, private readonly opts: BatchedStoreOptions) {
    if (typeof (redis as Partial<RedisWithSync>).sluiceRateSync !== 'function') {
      redis.defineCommand('sluiceRateSync', { numberOfKeys: 1, lua: SYNC_SCRIPT });
    }
  }

  count(key: string, windowMs: number): Counter {
    const now = Date.now();
    let c = this.map.get(key);
    if (!c || (c.expiresAt <= now && c.inflight === 0)) {
      c = { base: 0, pending: 0, inflight: 0, windowMs, expiresAt: now + windowMs };
      this.map.set(key, c);
    }
    c.pending++;
    this.schedule();
    return c;
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.sync();
    }, this.opts.syncMs);
    this.timer.unref();
  }

  /** Sends every key's new counts in one pipeline; forgets keys whose window is over and that owe nothing. */
  async sync(): Promise<void> {
    const now = Date.now();
    const sent: Array<[string, Counter, number]> = [];
    for (const [key, c] of this.map) {
      if (c.pending > 0) {
        sent.push([key, c, c.pending]);
        c.inflight += c.pending;
        c.pending = 0;
      } else if (c.inflight === 0 && c.expiresAt <= now) {
        this.map.delete(key);
      }
    }
    if (!sent.length) return;
    let results: Array<[Error | null, unknown]> | null = null;
    let failure: Error | null = null;
    try {
      // Built inside the try: without an offline queue, a disconnected client refuses commands synchronously.
      const pipeline = this.redis.pipeline();
      for (const [key, c, by] of sent) (pipeline as unknown as RedisWithSync).sluiceRateSync(`${this.opts.prefix}${key}`, by, c.windowMs);
      results = await pipeline.exec();
    } catch (err) {
      failure = err instanceof Error ? err : new Error(String(err));
    }
    const at = Date.now();
    for (const [i, [, c, by]] of sent.entries()) {
      c.inflight -= by;
      const [err, reply] = results?.[i] ?? [failure ?? new Error('no reply'), null];
      if (err || !Array.isArray(reply)) {
        // Redis missed this batch: keep limiting on what this process counted.
        c.base += by;
        failure ??= err ?? new Error('unexpected reply');
        continue;
      }
      const [current, ttl] = reply as [number, number];
      c.base = Number(current);
      c.expiresAt = at + Number(ttl);
    }
    if (failure) this.opts.onError(failure);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

/** The limiter's view of the counters (rate-limit.ts asks it synchronously, once per request). */
export class BatchedRedisStore {
  private constructor(private readonly counters: Counters) {}

  static create(redis: Redis, opts: BatchedStoreOptions): BatchedRedisStore {
    return new BatchedRedisStore(new Counters(redis as RedisWithSync, opts));
  }

  /** Counts one request of `key`; a key seen for the first time (or after its window) starts a window. */
  hit(key: string, windowMs: number): Hit {
    const c = this.counters.count(key, windowMs);
    return { current: c.base + c.inflight + c.pending, ttl: Math.max(0, c.expiresAt - Date.now()) };
  }

  /** Pushes the counts made so far (tests, and shutdown). */
  flush(): Promise<void> {
    return this.counters.sync();
  }

  close(): void {
    this.counters.close();
  }
}
