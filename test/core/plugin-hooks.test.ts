/** Plugin lifecycle hooks in the production roles: run-worker.ts as a child process, the API role in process. */
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { Container } from '../../app/core/runtime/container';
import { readJson } from '../../app/core/database/connection';
import { startApiRole } from '../../app/core/runtime/api';
import { PluginLifecycle } from '../../app/core/plugins/lifecycle';
import { createTestEnv, eventually, type TestEnv } from '../support/isolation';
import { killAll, ROOT, spawnTs, type Child } from '../support/child';
import { startProducer } from '../support/producer';

const WORKERS = path.relative(ROOT, path.resolve(__dirname, '../fixtures/plugins'));
let t: TestEnv;
let producer: Container;
const children: Child[] = [];
const orderKey = () => `${t.redisPrefix}plugin:probe:order`;
const startWorker = (extra: Record<string, string> = {}) => {
  const child = spawnTs('run-worker.ts', { ...t.env, ...extra });
  children.push(child);
  return child;
};

beforeAll(async () => {
  t = createTestEnv('plugin_hooks', { WORKERS_DIR: WORKERS, EXECUTION_FLUSH_INTERVAL_MS: '20', LOG_FLUSH_INTERVAL_MS: '20', QUEUE_DRAIN_DELAY_S: '1' });
  t.env.PROBE_DB_URL = t.databaseUrl;
  producer = await startProducer(t.env);
});
afterEach(async () => {
  await killAll(children);
  await producer.redis.del(orderKey(), `${t.redisPrefix}plugin:probe:booted`);
});
afterAll(async () => {
  await producer?.close();
  await t?.cleanup();
});

describe('plugin lifecycle hooks', () => {
  it('run-worker.ts runs onWorkerBoot before it takes the first job, and onWorkerShutdown on SIGTERM', async () => {
    const ids = await producer.dispatcher.enqueueMany('probe-task', Array.from({ length: 20 }, (_, n) => ({ params: { n } })));
    const worker = startWorker({ PROBE_BOOT_DELAY_MS: '1500' });
    const done = await eventually(async () => {
      const [rows] = await producer.core.pool.query<RowDataPacket[]>("SELECT result FROM executions WHERE id IN (?) AND status = 'succeeded'", [ids]);
      return rows.length === ids.length ? rows : undefined;
    }, { what: '20 jobs succeeded', timeoutMs: 40_000 });
    for (const row of done) expect(readJson(row.result)).toMatchObject({ booted: true });
    const order = await producer.redis.lrange(orderKey(), 0, -1);
    expect(order[0]).toBe('onWorkerBoot');
    expect(order.slice(1).sort()).toEqual(ids.map((_, n) => `job:${n}`).sort());
    const hookLine = worker.lines.findIndex((l) => /plugin hooks onWorkerBoot: probe/.test(l));
    expect(hookLine).toBeGreaterThanOrEqual(0);
    expect(hookLine).toBeLessThan(worker.lines.findIndex((l) => /worker consuming/.test(l)));
    worker.kill('SIGTERM');
    expect((await worker.exited).code).toBe(0);
    expect((await producer.redis.lrange(orderKey(), -1, -1))[0]).toBe('onWorkerShutdown');
  }, 60_000);

  it('a failing onWorkerBoot fails the boot with a message naming the file, and no job is taken', async () => {
    const [id] = await producer.dispatcher.enqueueMany('probe-task', [{ params: { n: 99 } }]);
    const worker = startWorker({ PROBE_BOOT_FAIL: 'true' });
    const line = await worker.waitForLine(/failed to start/);
    expect(line).toMatch(/worker failed to start: test\/fixtures\/plugins\/probe\/hooks\.ts onWorkerBoot failed: probe refuses to boot \(PROBE_BOOT_FAIL\)/);
    expect((await worker.exited).code).toBe(1);
    expect(await (await producer.queues.get('probe-task').getJob(id))?.getState()).toBe('waiting');
    expect(await producer.redis.lrange(orderKey(), 0, -1)).toEqual([]);
  }, 60_000);

  it('the API role runs onApiBoot before it listens', async () => {
    const c = new Container({ role: 'api-test', env: { ...process.env, ...t.env }, console: false });
    const api = await startApiRole(c, { plugins: new PluginLifecycle(c), host: '127.0.0.1', port: 0 });
    try {
      expect(await producer.redis.lrange(orderKey(), 0, -1)).toEqual(['onApiBoot']);
      expect((await fetch(`${api.url}/health`)).status).toBe(200);
    } finally {
      await api.stop();
      await c.close();
    }
  });
});
