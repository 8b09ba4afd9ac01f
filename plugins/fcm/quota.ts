/**
 * The project's send quota shared by every worker process (FCM counts messages per project per minute):
 * a rate-limiter-flexible fixed window in Redis. Processes take permits in grants of up to `grant` so a send
 * costs a Redis round trip only once per grant. A 429 from FCM blocks the key for Retry-After in Redis, so every
 * process holds off, not only the one that was told.
 */
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { sleep } from '../http/backoff';

export interface SharedQuotaOptions {
  redis: Redis;
  /** Key of the quota (one per FCM project). */
  key: string;
  /** Prefix of the Redis key (put it under the deployment's REDIS_PREFIX). @defaultValue 'fcm-quota' */
  keyPrefix?: string;
  /** Messages per minute across every process. @defaultValue 600000 (FCM_QUOTA_PER_MINUTE) */
  perMinute?: number;
  /** Permits a process takes from Redis at once. @defaultValue perMinute / 1200, between 1 and 100 */
  grant?: number;
}

export class SharedQuota {
  private readonly limiter: RateLimiterRedis;
  private readonly grant: number;
  private local = 0;
  private refill: Promise<void> | null = null;
  /** Times a process had to wait for the quota (for tests and metrics). */
  waits = 0;

  constructor(private readonly opts: SharedQuotaOptions) {
    const perMinute = opts.perMinute ?? 600_000;
    if (!Number.isInteger(perMinute) || perMinute < 1) throw new Error(`FCM_QUOTA_PER_MINUTE must be a positive integer, got ${perMinute}`);
    this.grant = opts.grant ?? Math.max(1, Math.min(100, Math.floor(perMinute / 1200)));
    this.limiter = new RateLimiterRedis({ storeClient: opts.redis, keyPrefix: opts.keyPrefix ?? 'fcm-quota', points: perMinute, duration: 60 });
  }

  /** Resolves when one message may be sent. */
  async take(signal?: AbortSignal): Promise<void> {
    while (this.local === 0) {
      this.refill ??= this.fetchGrant(signal).finally(() => {
        this.refill = null;
      });
      await this.refill;
    }
    this.local--;
  }

  private async fetchGrant(signal?: AbortSignal): Promise<void> {
    for (;;) {
      try {
        await this.limiter.consume(this.opts.key, this.grant);
        this.local += this.grant;
        return;
      } catch (res) {
        if (!(res instanceof RateLimiterRes)) throw res;
        this.waits++;
        await sleep(Math.max(1, res.msBeforeNext), signal);
      }
    }
  }

  /** FCM said the project is over its quota: hold every process off for `ms`. */
  async pause(ms: number): Promise<void> {
    this.local = 0;
    await this.limiter.block(this.opts.key, Math.max(1, Math.ceil(ms / 1000)));
  }
}
