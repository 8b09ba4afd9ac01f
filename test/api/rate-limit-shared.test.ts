/**
 * The API's rate limit counts in each process and shares the counts through Redis (app/core/api/rate-limit-store.ts):
 * two API processes on one deployment share one limit, and a process keeps limiting while Redis is away.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { buildApiApp } from '../../app/core/api/app';
import { Container } from '../../app/core/runtime/container';
import { BatchedRedisStore } from '../../app/core/api/rate-limit-store';
import { Schedule, ScheduleWorker } from '../../app';
import { registryOf } from '../support/harness';
import { createTestEnv, eventually } from '../support/isolation';
import { startRedis, type PrivateServer } from '../chaos/support/servers';
import { API_ENV, asAdmin } from './api-harness';

@Schedule({ id: 'rl-task', description: 'rate-limit test task' })
class RlTask extends ScheduleWorker {
  run() {
    return null;
  }
}

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function apiProcess(env: Record<string, string>) {
  const container = new Container({ role: 'api-test', env: { ...process.env, ...env }, registry: registryOf([RlTask], env), console: false });
  await container.init();
  await container.mirror.seedRegistry(container.registry);
  const app = await buildApiApp(container);
  cleanups.push(async () => {
    await app.close();
    await container.close();
  });
  return { app, container, get: () => app.inject({ method: 'GET', url: '/workers', headers: asAdmin }) };
}

describe('shared rate limit', () => {
  it('two API processes share one limit: counts made in one reach the other within the sync interval', async () => {
    const t = createTestEnv('ratelimit2', { ...API_ENV, API_RATE_LIMIT_MAX: '5', API_RATE_LIMIT_WINDOW_MS: '60000', API_RATE_LIMIT_SYNC_MS: '20' });
    cleanups.push(() => t.cleanup());
    const a = await apiProcess(t.env);
    const b = await apiProcess(t.env);
    const first = [];
    for (let i = 0; i < 3; i++) first.push((await a.get()).statusCode);
    expect(first).toEqual([200, 200, 200]);
    // Once A's counts are in Redis, B's next answers see them: 2 left, then 429.
    await eventually(async () => {
      const keys = await a.container.redis.keys(`${t.redisPrefix}rate-limit:*`);
      return keys.length === 1 && Number(await a.container.redis.get(keys[0]!)) === 3;
    }, { what: "A's three requests in the shared counter" });
    const firstOfB = await b.get();
    expect(firstOfB.statusCode).toBe(200);
    // B's first request is answered before B has heard from Redis; its next sync brings A's counts in.
    await eventually(async () => {
      const keys = await a.container.redis.keys(`${t.redisPrefix}rate-limit:*`);
      return Number(await a.container.redis.get(keys[0]!)) === 4;
    }, { what: "B's request in the shared counter" });
    // Redis wrote B's reply before it answered the GET above; let B's socket hand it over before asking B again.
    await new Promise((r) => setImmediate(r));
    const next = await b.get();
    expect(next.statusCode).toBe(200);
    expect(next.headers['x-ratelimit-remaining']).toBe('0');
    const over = await b.get();
    expect(over.statusCode).toBe(429);
    expect(over.json()).toMatchObject({ statusCode: 429, code: 'SLUICE_RATE_LIMITED' });
    // And A, which made only three itself, is over the limit too once B's counts reached it.
    await eventually(async () => (await a.get()).statusCode === 429, { what: 'A to see the shared count' });
  });

  it('keeps limiting on its own counts while Redis is unreachable, and shares them again when it is back', async () => {
    let server: PrivateServer | null = await startRedis();
    cleanups.push(async () => server?.destroy());
    const redis = new Redis(server.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 500, retryStrategy: () => 100 });
    redis.on('error', () => undefined);
    cleanups.push(async () => void redis.disconnect());
    await eventually(async () => redis.status === 'ready', { what: 'the store connection' });
    const errors: Error[] = [];
    const store = BatchedRedisStore.create(redis, { prefix: 'rl:', syncMs: 10, onError: (e) => errors.push(e) });
    cleanups.push(async () => store.close());
    const incr = async (): Promise<number> => store.hit('10.0.0.1', 60_000).current;
    expect(await incr()).toBe(1);
    await store.flush();
    expect(await redis.get('rl:10.0.0.1')).toBe('1');

    await server.stop();
    const counts: number[] = [];
    for (let i = 0; i < 4; i++) counts.push(await incr());
    await store.flush();
    // Each count is still seen by the limiter (a limit of 3 would refuse the last two), and the failure is reported.
    expect(counts).toEqual([2, 3, 4, 5]);
    expect(errors.length).toBeGreaterThan(0);

    await server.start();
    await eventually(async () => redis.status === 'ready', { what: 'the store connection back' });
    expect(await incr()).toBe(6);
    await store.flush();
    // The restarted server (its append-only file kept the first count) gets what was counted from then on.
    expect(await redis.get('rl:10.0.0.1')).toBe('2');
    expect(await incr()).toBe(3);
  });
});
