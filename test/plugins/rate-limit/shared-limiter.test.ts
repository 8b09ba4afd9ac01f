import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { SharedRateLimiter } from '../../../plugins/rate-limit';
import { createTestEnv, deleteKeys, REDIS_URL, type TestEnv } from '../../support/isolation';

/** Waits (a clock boundary) until `fromMs`–`fromMs + 100` ms into a second, and returns that second. */
async function intoSecondAt(fromMs: number): Promise<number> {
  const lag = Date.now() % 1000;
  if (lag < fromMs || lag > fromMs + 100) await new Promise((r) => setTimeout(r, (1000 + fromMs + 50 - lag) % 1000));
  return Math.floor(Date.now() / 1000);
}

describe('SharedRateLimiter', () => {
  let env: TestEnv;
  let a: Redis;
  let b: Redis;
  beforeAll(() => {
    env = createTestEnv('ratelimit');
    // Two clients stand for two processes: the limit is shared through Redis, not through memory.
    a = new Redis(REDIS_URL, { keyPrefix: env.redisPrefix });
    b = new Redis(REDIS_URL, { keyPrefix: env.redisPrefix });
  });
  afterAll(async () => {
    await a.quit();
    await b.quit();
    await deleteKeys(env.redisPrefix);
  });

  it('lets at most the limit through per clock second across two processes, waiting instead of failing', async () => {
    const limitOf = () => ({ points: 10 });
    const la = new SharedRateLimiter({ redis: a, limitOf, headroom: 1 });
    const lb = new SharedRateLimiter({ redis: b, limitOf, headroom: 1 });
    const stamps: number[] = [];
    const run = async (l: SharedRateLimiter) => {
      for (let i = 0; i < 13; i++) {
        await l.take('tiktok:shop1:orders');
        stamps.push(Date.now());
      }
    };
    const started = Date.now();
    await Promise.all([run(la), run(lb)]);
    const perSecond = new Map<number, number>();
    for (const t of stamps) perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1);
    expect(stamps).toHaveLength(26);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(10);
    // 26 takes at 10 per second need at least three windows, so at least two boundaries were waited for.
    expect(perSecond.size).toBeGreaterThanOrEqual(3);
    expect(Date.now() - started).toBeGreaterThan(1_000);
  });

  it('serves one process\'s waiters in arrival order, and only a window\'s budget of them asks Redis at a time', async () => {
    const l = new SharedRateLimiter({ redis: a, limitOf: () => ({ points: 10 }), headroom: 1 });
    const windows: number[] = [];
    // Early in a second, so that no first slot falls in a window's edge (counted in the next window too).
    await intoSecondAt(100);
    await Promise.all(Array.from({ length: 30 }, async (_, i) => {
      await l.take('p:gate:x');
      windows[i] = Math.floor(Date.now() / 1000);
    }));
    // The n-th ten callers get the n-th window's ten slots.
    const first = windows[0]!;
    expect(windows.map((w) => w - first)).toEqual(Array.from({ length: 30 }, (_, i) => Math.floor(i / 10)));
    // 30 slots, plus at most the ten in the gate finding each of the first two windows full (without the gate,
    // every waiter asked at every window start: 30 + 20 + 10).
    expect(l.stats.attempts).toBeLessThanOrEqual(50);
    expect(l.stats.taken).toBe(30);
  });

  it('keeps keys apart: another shop or API has its own budget', async () => {
    const l = new SharedRateLimiter({ redis: a, limitOf: () => ({ points: 3 }), headroom: 1 });
    const t0 = Date.now();
    for (const key of ['p:s1:x', 'p:s2:x', 'p:s1:y']) for (let i = 0; i < 3; i++) await l.take(key);
    // Nine takes on three keys of three points: none waited for a window unless the second turned meanwhile.
    const waited = await l.take('p:s3:x');
    expect(waited.waitedMs).toBeLessThan(200);
    expect(Date.now() - t0).toBeLessThan(1_500);
  });

  it('hands out slots in a window\'s edge when it has room, counting them in the next window too', async () => {
    const l = new SharedRateLimiter({ redis: a, limitOf: () => ({ points: 3 }), headroom: 1, edgeMs: 400 });
    // Into the last 400 ms of a second (with room for three quick takes before it ends).
    const window = await intoSecondAt(650);
    const edge: Array<{ waitedMs: number; departBy: number }> = [];
    for (let i = 0; i < 3; i++) edge.push(await l.take('p:edge:x'));
    expect(Math.floor(Date.now() / 1000)).toBe(window);
    // Not waited out: the edge of a window with room is used.
    expect(Math.max(...edge.map((r) => r.waitedMs))).toBeLessThan(200);
    // Counted in two windows, the request may leave until the second one's edge.
    expect(edge[0].departBy).toBe((window + 2) * 1000 - 400);
    // They may reach the platform in the next second, which therefore has no slot left: the fourth goes out in the one after.
    await l.take('p:edge:x');
    expect(Math.floor(Date.now() / 1000)).toBe(window + 2);
    expect(l.stats).toMatchObject({ taken: 4, edge: 3 });
  });

  it('hands an edge slot\'s point in the next window back once its request was answered before that window began', async () => {
    const l = new SharedRateLimiter({ redis: a, limitOf: () => ({ points: 3 }), headroom: 1, edgeMs: 400 });
    const window = await intoSecondAt(650);
    const edge = [];
    for (let i = 0; i < 3; i++) edge.push(await l.take('p:answered:x'));
    expect(edge.every((slot) => slot.edge)).toBe(true);
    // Answered within the window they left in: they reached the platform there, not in the next one.
    await Promise.all(edge.map((slot) => l.answered(slot)));
    expect(Math.floor(Date.now() / 1000)).toBe(window);
    // The next window has its whole budget: three takes in it, the fourth in the one after.
    const seconds = [];
    for (let i = 0; i < 4; i++) seconds.push((await l.take('p:answered:x'), Math.floor(Date.now() / 1000)));
    expect(seconds).toEqual([window + 1, window + 1, window + 1, window + 2]);
    expect(l.stats).toMatchObject({ edge: 3, handedBack: 3 });
  });

  it('keeps an edge slot\'s point in the next window when the answer came after that window began', async () => {
    const l = new SharedRateLimiter({ redis: a, limitOf: () => ({ points: 1 }), headroom: 1, edgeMs: 400 });
    const window = await intoSecondAt(650);
    const slot = await l.take('p:answered:late');
    expect(slot.edge).toBeDefined();
    // The answer comes in the next window: the request may have been counted there.
    const next = l.take('p:answered:late');
    expect(Math.floor((await next, Date.now()) / 1000)).toBe(window + 2);
    await l.answered(slot);
    expect(l.stats.handedBack).toBe(0);
  });

  it('with adaptiveEdge, counts late slots of a key in the next window too until its round trip is known, then uses its round trip', async () => {
    const l = new SharedRateLimiter({ redis: a, limitOf: () => ({ points: 100 }), headroom: 1, edgeMs: 50, adaptiveEdge: true });
    const window = await intoSecondAt(300);
    // 650 ms before the window ends: a fresh key (no answer seen yet) may need most of the window to arrive.
    expect((await l.take('p:adaptive:x')).departBy).toBe((window + 2) * 1000 - 900);
    l.observe('p:adaptive:x', 20);
    // Answers in 20 ms: the configured 50 ms edge is margin enough.
    expect((await l.take('p:adaptive:x')).departBy).toBe((window + 1) * 1000 - 50);
    l.observe('p:adaptive:x', 800);
    // (The estimate decays, by well under a ms here.)
    expect((await l.take('p:adaptive:x')).departBy).toBeCloseTo((window + 2) * 1000 - 800, -1);
    expect(Math.floor(Date.now() / 1000)).toBe(window);
  });

  it('with hostOf, starts a fresh key from its host\'s round trip rather than most of the window', async () => {
    const l = new SharedRateLimiter({ redis: a, limitOf: () => ({ points: 100 }), headroom: 1, edgeMs: 50, adaptiveEdge: true, hostOf: (key) => key.slice(0, key.lastIndexOf(':')) });
    const window = await intoSecondAt(300);
    // The shop's listing answered in 200 ms (a fresh connection to the host included).
    l.observe('p:host:orders', 200);
    // Its tracking API has answered nothing yet: 650 ms before the window ends is outside a 200 ms edge.
    expect((await l.take('p:host:tracking')).departBy).toBeCloseTo((window + 1) * 1000 - 200, -1);
    // Another shop (another host entry) has no answer: most of the window.
    expect((await l.take('p:other:tracking')).departBy).toBe((window + 2) * 1000 - 900);
    // The key's own round trip replaces its host's once it has one.
    l.observe('p:host:tracking', 20);
    expect((await l.take('p:host:tracking')).departBy).toBe((window + 1) * 1000 - 50);
    expect(Math.floor(Date.now() / 1000)).toBe(window);
  });

  it('with pace, spreads a window\'s slots over the part before its edge', async () => {
    const l = new SharedRateLimiter({ redis: a, limitOf: () => ({ points: 5 }), headroom: 1, edgeMs: 500, pace: true });
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 5));
    const window = Math.floor(Date.now() / 1000);
    const at = await Promise.all(Array.from({ length: 5 }, async () => (await l.take('p:pace:x'), Date.now() - window * 1000)));
    // The n-th of five leaves n/5 of the way through the first 500 ms: 0, 100, 200, 300, 400 ms into the second.
    // (Each is seen when its take resolves, a Redis round trip later: on a loaded machine the first may be seen tens
    // of ms late, so it is bounded by the third slot's time, not by its own.)
    const sorted = at.sort((x, y) => x - y);
    expect(sorted[0]).toBeLessThan(200);
    expect(sorted[4]).toBeLessThan(500 + 100);
    sorted.forEach((ms, n) => expect(ms, `slot ${n + 1}`).toBeGreaterThanOrEqual(n * 100 - 1));
  });

  it('applies the headroom to the platform limit', () => {
    const l = new SharedRateLimiter({ redis: a, limitOf: () => ({ points: 50 }) });
    expect(l.budget('k')).toEqual({ points: 47, windowSec: 1 });
    expect(() => new SharedRateLimiter({ redis: a, limitOf: () => ({ points: 1 }), headroom: 0 })).toThrow(/headroom/);
  });

  it('honours a ban window after a 429 in every process', async () => {
    const la = new SharedRateLimiter({ redis: a, limitOf: () => ({ points: 100 }) });
    const lb = new SharedRateLimiter({ redis: b, limitOf: () => ({ points: 100 }) });
    await la.ban('lazada:s1:orders', 1_000);
    expect(await lb.bannedFor('lazada:s1:orders')).toBeGreaterThan(500);
    const t0 = Date.now();
    const res = await lb.take('lazada:s1:orders');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(600);
    expect(res.waitedMs).toBeGreaterThanOrEqual(600);
    expect(await lb.bannedFor('lazada:s1:orders')).toBe(0);
  });

  it('stops waiting when the signal aborts', async () => {
    const l = new SharedRateLimiter({ redis: a, limitOf: () => ({ points: 1 }) });
    await l.ban('p:abort', 5_000);
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(new Error('stopped')), 50);
    await expect(l.take('p:abort', ctl.signal)).rejects.toThrow('stopped');
  });
});
