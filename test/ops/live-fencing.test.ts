/**
 * Live state fenced like execution rows: two LiveRuns stand for two worker processes sharing one Redis; the one
 * that lost the job's lock (older take) cannot remove or renew the new owner's running-set entry. And a failed
 * lease renewal is logged naming the worker and run, and the next renewal puts back the entry that lapsed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { LiveRuns, type LiveRunsOptions } from '../../app/core/services/live-runs';
import { RedisKeys } from '../../app/core/services/redis';
import { Writable } from 'node:stream';
import winston from 'winston';
import { Container } from '../../app/core/runtime/container';
import { buildRegistry } from '../../app/core/registry/worker-registry';
import { createTestEnv, eventually, REDIS_URL, type TestEnv } from '../support/isolation';

let t: TestEnv;
let redis: Redis;
let keys: RedisKeys;
beforeAll(() => {
  t = createTestEnv('fencing');
  redis = new Redis(REDIS_URL);
  keys = new RedisKeys(t.redisPrefix);
});
afterAll(async () => {
  redis?.disconnect();
  await t?.cleanup();
});

const process = (opts: Partial<LiveRunsOptions> = {}) => new LiveRuns(redis.duplicate(), keys, { ttlMs: 60_000, flushIntervalMs: 0, ...opts });
const inSet = (worker: string, id: string) => redis.zscore(keys.overlap(worker), id);
const lease = (executionId: string, fence: number) => [{ executionId, fence }];

describe('live state fenced by the owning take', () => {
  it('a process that lost the lock cannot remove the new owner\'s entry, and the owner\'s end still removes it', async () => {
    const a = process();
    const b = process();
    a.start('fw', 'x1', 1_000, {}, []);
    await a.flushNow();
    // B took the job over (newer take), then A's run ends.
    b.start('fw', 'x1', 2_000, {}, []);
    await b.flushNow();
    a.finish('fw', 'x1', 1_000, true, { last_status: 'succeeded' }, [], null);
    await a.flushNow();
    expect(await inSet('fw', 'x1')).not.toBeNull();
    expect(await redis.hget(keys.state('fw'), 'state')).toBe('running');
    // A's renewal does not touch it either; B's end removes it.
    a.renew(new Map([['fw', lease('x1', 1_000)]]));
    await a.flushNow();
    expect(await redis.hget(keys.runTakes('fw'), 'x1')).toBe('2000');
    b.finish('fw', 'x1', 2_000, true, {}, [], null);
    await b.flushNow();
    expect(await inSet('fw', 'x1')).toBeNull();
    expect(await redis.hget(keys.state('fw'), 'state')).toBe('idle');
  });

  it('the overlap check of the next fire still sees the new owner\'s run after the old owner ended', async () => {
    const a = process();
    const b = process();
    a.start('fo', 'y1', 1_000, {}, []);
    await a.flushNow();
    b.start('fo', 'y1', 2_000, {}, []);
    a.finish('fo', 'y1', 1_000, false, {}, [], null);
    await Promise.all([a.flushNow(), b.flushNow()]);
    expect(await b.startAlone('fo', 'y2', 3_000, {}, [])).toBe(false);
  });

  it('a failed renewal is logged with the worker and run; the next one puts the lapsed entry back', async () => {
    const lines: Array<{ message: string; runs?: Map<string, string[]> }> = [];
    const short = process({
      ttlMs: 300,
      onRenewFailed: (err, runs) => lines.push({ message: `renew failed: ${(err as Error).message}`, runs: new Map(runs) }),
      onLapsed: (w, n) => lines.push({ message: `lapsed ${w} ${n}` }),
    });
    short.start('fr', 'z1', 1_000, {}, []);
    await short.flushNow();
    // Break the takes hash (a wrong type): the renewal script fails as on a Redis error.
    await redis.set(keys.runTakes('fr'), 'not a hash');
    short.renew(new Map([['fr', lease('z1', 1_000)]]));
    await short.flushNow();
    expect(lines[0]?.message).toMatch(/renew failed: WRONGTYPE/);
    expect(lines[0]?.runs).toEqual(new Map([['fr', ['z1']]]));
    // The lease lapses meanwhile (the overlap check would treat the run as finished).
    await eventually(async () => Number(await inSet('fr', 'z1')) < Date.now(), { what: 'lease lapsed' });
    await redis.del(keys.runTakes('fr'));
    const other = process();
    expect(await other.startAlone('fr', 'z2', 5_000, {}, [])).toBe(true);
    other.finish('fr', 'z2', 5_000, true, {}, [], null);
    await other.flushNow();
    expect(await inSet('fr', 'z1')).toBeNull();
    short.renew(new Map([['fr', lease('z1', 1_000)]]));
    await short.flushNow();
    expect(lines.map((l) => l.message)).toContain('lapsed fr 1');
    expect(Number(await inSet('fr', 'z1'))).toBeGreaterThan(Date.now());
    expect(await redis.hmget(keys.state('fr'), 'state', 'execution_id')).toEqual(['running', 'z1']);
  });
});

describe('the worker process logs a failed renewal', () => {
  it('names the worker and the run in a warn line of the process log', async () => {
    const env = createTestEnv('renewlog');
    const c = new Container({ role: 'test', env: { ...globalThis.process.env, ...env.env }, console: false, registry: buildRegistry([], { timezone: 'UTC', timeoutMs: 1_000, attempts: 1, backoffMs: 10 }) });
    const seen: string[] = [];
    c.logger.add(new winston.transports.Stream({ stream: new Writable({ write(chunk, _enc, cb) { seen.push(String(chunk)); cb(); } }) }));
    try {
      await c.init();
      c.live.start('lw', 'run-42', 7, {}, []);
      await c.live.flushNow();
      await c.redis.set(c.keys.runTakes('lw'), 'x');
      c.live.renew(new Map([['lw', lease('run-42', 7)]]));
      await c.live.flushNow();
      await eventually(async () => seen.find((l) => /could not renew the running-set leases \(lw: run-42\): .*WRONGTYPE/.test(l)), { what: 'the renewal failure log line' });
    } finally {
      await c.close();
      await env.cleanup();
    }
  });
});
