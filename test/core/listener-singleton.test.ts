import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createTestEnv, eventually, REDIS_URL, type TestEnv } from '../support/isolation';
import { ROOT, spawnTs, type Child } from '../support/child';
import { startTradeFeed, type TradeFeed } from '../fakes/trade-feed';

const WORKERS = path.relative(ROOT, path.resolve(__dirname, '../fixtures/workers/listener'));
let t: TestEnv;
let feed: TradeFeed;
let redis: Redis;
const children: Child[] = [];

beforeAll(async () => {
  feed = await startTradeFeed({ intervalMs: 50 });
  t = createTestEnv('singleton', { WORKERS_DIR: WORKERS, FIXTURE_FEED_URL: feed.url, LISTENER_LEASE_MS: '2000' });
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await Promise.all(children.map((c) => c.exited));
  await redis.quit();
  await feed.close();
  await t.cleanup();
});

const owner = async () => (await redis.hget(`${t.redisPrefix}state:fixture-feed`, 'owner')) ?? '';

describe('singleton listener', () => {
  it('runs in exactly one of two worker processes; SIGKILL that one and the other takes over', async () => {
    const a = spawnTs('run-worker.ts', t.env);
    const b = spawnTs('run-worker.ts', t.env);
    children.push(a, b);
    await Promise.all([a, b].map((w) => w.waitForLine(/worker consuming/)));
    const first = await eventually(async () => {
      const pid = await owner();
      return feed.openConnections() === 1 && pid ? pid : undefined;
    }, { what: 'one connection' });
    const holder = [a, b].find((w) => String(w.proc.pid) === first)!;
    const standby = [a, b].find((w) => w !== holder)!;
    expect(holder).toBeDefined();
    // Over a few lease periods, still exactly one connection: observing that nothing happens needs the time to pass.
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 1_000));
      expect(feed.openConnections()).toBe(1);
    }
    expect(standby.lines.some((l) => /listener fixture-feed: connected/.test(l))).toBe(false);

    holder.kill('SIGKILL');
    await holder.exited;
    await standby.waitForLine(/listener fixture-feed: connected/, 15_000);
    await eventually(async () => (await owner()) === String(standby.proc.pid) && feed.openConnections() === 1, { what: 'the standby to hold the only connection' });
  }, 60_000);
});
