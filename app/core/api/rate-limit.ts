/**
 * Rate limit of a scope (the token routes, or the public routes) per client address, with its counters shared
 * through Redis, so several API processes share them: counted in the process and synced every
 * API_RATE_LIMIT_SYNC_MS (rate-limit-store.ts), so a request does not wait for Redis.
 *
 * One synchronous onRequest hook of the scope, ahead of the routes' own hooks (so failed authentications count).
 * It answers as @fastify/rate-limit does (x-ratelimit-limit/-remaining/-reset on every answer, retry-after and 429
 * over the limit, IPv6 clients grouped by its normalizeIP) but without that plugin's two promises per request,
 * which were a tenth of a cached 304's time once the counting itself had become local. It uses its own connection that fails fast: when Redis is unreachable each
 * process goes on limiting on its own counts (auth is still enforced) instead of hanging on a queued command.
 */
import type { FastifyInstance } from 'fastify';
import { normalizeIP } from '@fastify/rate-limit';
import { BatchedRedisStore } from './rate-limit-store';
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
  const report = (err: Error): void => {
    if (Date.now() - lastReport < 5_000) return;
    lastReport = Date.now();
    c.logger.warn(`redis (api:${name}): ${err.message}; each API process limits on its own counts meanwhile`, { stored: false });
  };
  redis.on('error', report);
  const store = BatchedRedisStore.create(redis, {
    prefix: `${c.keys.prefix}${name}:`, syncMs: c.settings.API_RATE_LIMIT_SYNC_MS,
    onError: report,
  });
  app.addHook('onClose', async () => {
    // The last counts still reach the other processes.
    await store.flush().catch(() => undefined);
    store.close();
    redis.disconnect();
  });
  // Without an offline queue, syncs made before the connection is up fail (counts stay local): wait for it
  // briefly at boot (an API whose Redis is down still starts, limiting on its own counts, as above).
  await waitReady(redis, 2_000);
  // A route may carry its own limit (`config.rateLimit`: `false` for none, or `{ max?, timeWindow? }` in ms),
  // counted under its own keys, as @fastify/rate-limit's per-route option does.
  const perRoute = new WeakMap<object, RouteLimit | null>();
  const scopeLimit: RouteLimit = { max, windowMs, prefix: '' };
  app.addHook('onRoute', (route) => {
    const own = route.config?.rateLimit;
    if (own !== undefined) routeLimit(own, scopeLimit, `${String(route.method)} ${route.url}`);
  });
  app.addHook('onRequest', (req, reply, done) => {
    const config = req.routeOptions.config;
    let limit = config.rateLimit === undefined ? scopeLimit : perRoute.get(config);
    if (limit === undefined) perRoute.set(config, (limit = routeLimit(config.rateLimit, scopeLimit, `${String(req.routeOptions.method)} ${req.routeOptions.url}`)));
    if (!limit) return done();
    const { current, ttl } = store.hit(limit.prefix + normalizeIP(req.ip), limit.windowMs);
    const reset = Math.ceil(ttl / 1000);
    reply.header('x-ratelimit-limit', limit.max).header('x-ratelimit-remaining', Math.max(0, limit.max - current)).header('x-ratelimit-reset', reset);
    if (current <= limit.max) return done();
    reply.header('retry-after', reset);
    done(new ApiErrors.RateLimited(`${reset} s`));
  });
}

interface RouteLimit {
  max: number;
  windowMs: number;
  /** Keeps a route's own counts apart from the scope's. */
  prefix: string;
}

/** A route's `config.rateLimit` over the scope's limit; throws at registration on options this limiter lacks. */
function routeLimit(own: unknown, scope: RouteLimit, name: string): RouteLimit | null {
  if (own === undefined) return scope;
  if (own === false) return null;
  const o = (own ?? {}) as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => k !== 'max' && k !== 'timeWindow');
  const bad = (v: unknown): boolean => v !== undefined && !(typeof v === 'number' && Number.isInteger(v) && v > 0);
  if (typeof own !== 'object' || unknown.length || bad(o.max) || bad(o.timeWindow)) {
    throw new Error(`route ${name}: config.rateLimit must be false or { max?, timeWindow? } with positive integers (timeWindow in ms)${unknown.length ? `; not supported: ${unknown.join(', ')}` : ''}`);
  }
  return { max: (o.max as number | undefined) ?? scope.max, windowMs: (o.timeWindow as number | undefined) ?? scope.windowMs, prefix: `${name}-` };
}
