/**
 * Rate limit of the admin scope (@fastify/rate-limit) with its counters in Redis, so several API processes share
 * them. It uses its own connection that fails fast: when Redis is unreachable requests are let through (auth is
 * still enforced) instead of hanging on a queued command.
 */
import type { FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { Redis } from 'ioredis';
import type { Container } from '../runtime/container';
import { ApiErrors } from './errors';

export interface RateLimitOptions {
  /** Requests per window and client address. @defaultValue API_RATE_LIMIT_MAX */
  max: number;
  /** @defaultValue API_RATE_LIMIT_WINDOW_MS */
  windowMs: number;
  /** Names the connection and the counters' key space. @defaultValue 'rate-limit' */
  name: string;
}

function waitReady(redis: Redis, ms: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    redis.once('ready', done);
  });
}

export async function registerRateLimit(app: FastifyInstance, c: Container, opts?: RateLimitOptions): Promise<void> {
  const { max, windowMs, name } = opts ?? { max: c.settings.API_RATE_LIMIT_MAX, windowMs: c.settings.API_RATE_LIMIT_WINDOW_MS, name: 'rate-limit' };
  const redis = new Redis(c.settings.REDIS_URL, {
    connectionName: `sluice:api:${name}`, maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 1_000,
    retryStrategy: (times) => Math.min(200 * times, 2_000),
  });
  let lastReport = 0;
  redis.on('error', (err: Error) => {
    if (Date.now() - lastReport < 5_000) return;
    lastReport = Date.now();
    c.logger.warn(`redis (api:${name}): ${err.message}; requests are not rate limited meanwhile`, { stored: false });
  });
  app.addHook('onClose', async () => {
    redis.disconnect();
  });
  // Without an offline queue, requests made before the connection is up are let through uncounted: wait for it
  // briefly at boot (an API whose Redis is down still starts, unlimited, as above).
  await waitReady(redis, 2_000);
  await app.register(rateLimit, {
    global: true,
    max,
    timeWindow: windowMs,
    redis,
    nameSpace: `${c.keys.prefix}${name}:`,
    skipOnError: true,
    errorResponseBuilder: (_req, context) => new ApiErrors.RateLimited(context.after),
  });
}
