/**
 * A private Redis with append-only persistence (as docker-compose.yml runs it) restarted in the middle of 10,000
 * jobs: no queued job is lost, no process crashes, every job ends succeeded or failed-and-recorded, no log line
 * is lost, and /ready reports the outage and then recovers. Also: a Redis that may evict keys is a loud boot error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Container } from '../../app/core/runtime/container';
import { createTestEnv, eventually, type TestEnv } from '../support/isolation';
import { startProducer } from '../support/producer';
import { spawnTs } from '../support/child';
import { startRedis, type PrivateServer } from './support/servers';
import { awaitOutage, CHAOS_ENV, endChaosRun, enqueue, expectAllRecorded, ready, startProcesses, statusCounts, type ChaosProcesses } from './support/chaos-run';

const JOBS = 10_000;
let redis: PrivateServer;
let t: TestEnv;
let producer: Container;
let procs: ChaosProcesses | undefined;

beforeAll(async () => {
  redis = await startRedis();
  t = createTestEnv('chaos_redis', { ...CHAOS_ENV, REDIS_URL: redis.url });
  producer = await startProducer(t.env);
}, 60_000);
afterAll(() => endChaosRun({ procs, producer, server: redis, t }));

describe('chaos: Redis restarted mid-run', () => {
  it(`loses none of ${JOBS.toLocaleString('en')} queued jobs, crashes nothing, and /ready shows the outage`, async () => {
    const ids = await enqueue(producer, JOBS);
    expect(new Set(ids).size).toBe(JOBS);
    procs = await startProcesses(t.env);
    await eventually(async () => ((await statusCounts(t.databaseUrl)).succeeded ?? 0) >= 1_500, { timeoutMs: 120_000, intervalMs: 200, what: '1,500 jobs done' });
    expect((await ready(procs.readyUrl)).status).toBe(200);

    await redis.stop();
    const outage = await awaitOutage(procs.readyUrl);
    expect(outage.checks.redis.ok).toBe(false);
    expect(outage.checks.mysql.ok).toBe(true);
    await redis.start();
    await eventually(async () => (await ready(procs!.readyUrl)).status === 200, { timeoutMs: 30_000, what: '/ready to recover' });

    const final = await expectAllRecorded(t.databaseUrl, JOBS, 240_000);
    // A job Redis lost would end 'outcome unknown' (the reconciler's verdict for a job gone from the queue); a few
    // may fail for good after stalling twice around the restart, each recorded with its reason.
    expect(Object.keys(final.errors).filter((e) => /outcome unknown/.test(e)), JSON.stringify(final.errors)).toEqual([]);
    expect(final.failed, JSON.stringify(final.errors)).toBeLessThanOrEqual(JOBS / 100);
    expect(procs.worker.proc.exitCode).toBeNull();
    expect(procs.api.proc.exitCode).toBeNull();
    await procs.stop();
    expect((await procs.worker.exited).code).toBe(0);
    expect((await procs.api.exited).code).toBe(0);
  }, 420_000);

  it('a Redis with maxmemory-policy allkeys-lru gets a loud boot error', async () => {
    const lru = await startRedis({ maxmemoryPolicy: 'allkeys-lru' });
    try {
      const worker = spawnTs('run-worker.ts', { ...t.env, REDIS_URL: lru.url });
      try {
        const line = await worker.waitForLine(/maxmemory-policy/, 60_000);
        expect(JSON.parse(line)).toMatchObject({ level: 'error' });
        expect(line).toMatch(/allkeys-lru.*noeviction.*lose jobs/);
      } finally {
        worker.kill('SIGKILL');
        await worker.exited;
      }
    } finally {
      await lru.destroy();
    }
  }, 90_000);
});
