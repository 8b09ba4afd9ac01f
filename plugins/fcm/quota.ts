/**
 * The project's send quota shared by every worker process (FCM counts messages per project per minute):
 * a rate-limiter-flexible fixed window in Redis. Processes take permits in grants of up to `grant` (refilled ahead,
 * at half a grant left) so a send costs no Redis round trip of its own. A 429 from FCM blocks the key for Retry-After in Redis, so every
 * process holds off, not only the one that was told.
 */
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

export interface SharedQuotaOptions {
  redis: Redis;
  /** Key of the quota (one per FCM project). */
  key: string;
  /** Prefix of the Redis key (put it under the deployment's REDIS_PREFIX). @defaultValue 'fcm-quota' */
  keyPrefix?: string;
  /** Messages per minute across every process. @defaultValue 600000 (FCM_QUOTA_PER_MINUTE) */
  perMinute?: number;
  /** Permits a process takes from Redis at once. @defaultValue perMinute / 1200 (50 ms of the quota), between 1 and 500 */
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
    this.grant = opts.grant ?? Math.max(1, Math.min(500, Math.floor(perMinute / 1200)));
    this.limiter = new RateLimiterRedis({ storeClient: opts.redis, keyPrefix: opts.keyPrefix ?? 'fcm-quota', points: perMinute, duration: 60 });
  }

  /**
   * Resolves when `n` messages may be sent. A refill starts in the background once the local permits fall below
   * half a grant, so a busy process does not wait a Redis round trip every `grant` messages.
   */
  async take(signal?: AbortSignal, n = 1): Promise<void> {
    let left = n;
    while (left > 0) {
      if (this.local === 0) {
        await this.refilled(signal);
        continue;
      }
      const got = Math.min(left, this.local);
      this.local -= got;
      left -= got;
    }
    if (this.local < this.grant / 2 && !this.refill) void this.refilled().catch(() => undefined);
  }

  /** One refill at a time for the whole process; a waiter's signal stops its wait, not the refill. */
  private async refilled(signal?: AbortSignal): Promise<void> {
    this.refill ??= this.fetchGrant().finally(() => {
      this.refill = null;
    });
    if (!signal) return this.refill;
    signal.throwIfAborted();
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      this.refill!.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  private async fetchGrant(): Promise<void> {
    for (;;) {
      try {
        await this.limiter.consume(this.opts.key, this.grant);
        this.local += this.grant;
        return;
      } catch (res) {
        if (!(res instanceof RateLimiterRes)) throw res;
        this.waits++;
        // Unref'd: a refill waiting for the next window must not hold a stopping process open.
        await new Promise<void>((resolve) => setTimeout(resolve, Math.max(1, res.msBeforeNext)).unref());
      }
    }
  }

  /** FCM said the project is over its quota: hold every process off for `ms`. */
  async pause(ms: number): Promise<void> {
    this.local = 0;
    await this.limiter.block(this.opts.key, Math.max(1, Math.ceil(ms / 1000)));
  }
}
