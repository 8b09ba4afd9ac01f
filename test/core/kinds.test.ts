/**
 * Worker kinds are an extension point: a kind that exists only in test/fixtures (a fixed-interval ticker) is
 * registered through the kinds list, discovered, validated, run by a real worker process and shown in /workers,
 * and obeys the control routes — without any core file knowing it.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import { buildApiApp } from '../../app/core/api/app';
import { Container } from '../../app/core/runtime/container';
import { discoverWorkers } from '../../app/core/registry/discovery';
import { buildRegistry } from '../../app/core/registry/worker-registry';
import { findKind } from '../../app/core/kinds';
import { createTestEnv, eventually, REDIS_URL, type TestEnv } from '../support/isolation';
import { ROOT, spawnTs, type Child } from '../support/child';
import { API_ENV, asAdmin } from '../api/api-harness';

const dir = (name: string) => path.resolve(__dirname, '../fixtures/kinds', name);
const defaults = { timezone: 'UTC', timeoutMs: 3_600_000, attempts: 1, backoffMs: 1000 };
let t: TestEnv;
let api: Container;
let app: FastifyInstance;
let redis: Redis;
let worker: Child | null = null;

beforeAll(async () => {
  t = createTestEnv('kinds', { ...API_ENV, WORKERS_DIR: path.relative(ROOT, dir('ok')) });
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  worker?.kill('SIGKILL');
  await worker?.exited;
  await app?.close();
  await api?.close();
  await redis.quit();
  await t.cleanup();
});

const view = async () => (await app.inject({ method: 'GET', url: '/workers/fixture-ticker', headers: asAdmin })).json() as Record<string, unknown>;
const ticks = async () => Number(await redis.get(`${t.redisPrefix}fixture-ticks`));

describe('a worker kind from outside the core', () => {
  it('is discovered and validated through the kinds list; a bad option fails the boot naming the file', async () => {
    const registry = buildRegistry(await discoverWorkers(dir('ok')), defaults);
    expect(findKind('ticker')?.decorator).toBe('Ticker');
    expect(registry.get('fixture-ticker')).toMatchObject({ kind: 'ticker', everyMs: 50 });
    await expect(async () => buildRegistry(await discoverWorkers(dir('bad')), defaults))
      .rejects.toThrow(/Invalid option everyMs for worker "bad-ticker" in .*kinds\/bad\/x\.worker\.ts: must be a positive integer/);
  });

  it('runs in a worker process, shows in /workers and obeys stop and start', async () => {
    worker = spawnTs('run-worker.ts', t.env);
    await worker.waitForLine(/worker consuming .*1 ticker\(s\)/);
    await eventually(async () => (await ticks()) >= 3, { what: 'three ticks from the worker process' });

    api = new Container({ role: 'api-test', env: { ...process.env, ...t.env }, console: false });
    await api.init();
    app = await buildApiApp(api);
    const shown = await eventually(async () => {
      const v = await view();
      return v.state === 'ticking' && Number((v.details as { ticks: number }).ticks) >= 3 ? v : undefined;
    }, { what: '/workers to show the ticker ticking' });
    expect(shown).toMatchObject({ kind: 'ticker', options: { everyMs: 50 }, sourceFile: expect.stringMatching(/kinds\/ok\/heartbeat\.worker\.ts$/) });
    const list = (await app.inject({ method: 'GET', url: '/workers?kind=ticker', headers: asAdmin })).json() as { items: Array<{ id: string }> };
    expect(list.items.map((w) => w.id)).toEqual(['fixture-ticker']);

    const trigger = await app.inject({ method: 'POST', url: '/workers/fixture-ticker/trigger', headers: asAdmin });
    expect(trigger.statusCode).toBe(409);

    const stop = await app.inject({ method: 'POST', url: '/workers/fixture-ticker/stop', headers: asAdmin });
    expect(stop.statusCode).toBe(202);
    await eventually(async () => (await view()).state === 'stopped', { what: 'the ticker to stop', timeoutMs: 1_000 });
    const stoppedAt = await ticks();
    expect((await app.inject({ method: 'POST', url: '/workers/fixture-ticker/stop', headers: asAdmin })).statusCode).toBe(409);

    expect((await app.inject({ method: 'POST', url: '/workers/fixture-ticker/start', headers: asAdmin })).statusCode).toBe(202);
    await eventually(async () => (await view()).state === 'ticking' && (await ticks()) > stoppedAt, { what: 'the ticker to tick again', timeoutMs: 2_000 });

    const metrics = (await app.inject({ method: 'GET', url: '/metrics', headers: asAdmin })).body;
    expect(metrics).toMatch(/sluice_listener_state\{worker="fixture-ticker",state="ticking"\} 1/);
  }, 40_000);
});
