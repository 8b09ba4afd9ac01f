import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import type { Container } from '../../app/core/runtime/container';
import { readJson } from '../../app/core/database/connection';
import { createTestEnv, eventually, type TestEnv } from '../support/isolation';
import { killAll, ROOT, spawnTs, type Child } from '../support/child';
import { startProducer } from '../support/producer';

const JOBS = 10_000;
const WORKERS = path.relative(ROOT, path.resolve(__dirname, '../fixtures/workers/proc'));
let t: TestEnv;
let producer: Container;
const children: Child[] = [];
const startWorker = (extra: Record<string, string> = {}) => {
  const child = spawnTs('run-worker.ts', { ...t.env, ...extra });
  children.push(child);
  return child;
};

beforeAll(async () => {
  t = createTestEnv('crash', {
    WORKERS_DIR: WORKERS, QUEUE_LOCK_DURATION_MS: '3000', QUEUE_STALLED_INTERVAL_MS: '1000',
    EXECUTION_FLUSH_INTERVAL_MS: '20', LOG_FLUSH_INTERVAL_MS: '20', QUEUE_DRAIN_DELAY_S: '1',
  });
  producer = await startProducer(t.env);
});
afterEach(async () => {
  // A failed test must not leave a worker consuming the next test's jobs.
  await killAll(children);
});
afterAll(async () => {
  await producer?.close();
  await t?.cleanup();
});

async function statusCounts(): Promise<Record<string, number>> {
  const [rows] = await producer.core.pool.query<RowDataPacket[]>("SELECT status, COUNT(*) AS n FROM executions WHERE worker_id = 'sleepy' GROUP BY status");
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

describe('crash recovery', () => {
  it('SIGKILL of a worker with 10,000 queued jobs: a new worker ends every job succeeded, none lost or left running', async () => {
    const ids: string[] = [];
    for (let i = 0; i < JOBS; i += 500) ids.push(...(await Promise.all(Array.from({ length: 500 }, (_, k) => producer.dispatcher.trigger('sleepy', { ms: 0, n: i + k })))));
    const a = startWorker();
    await eventually(async () => ((await statusCounts()).succeeded ?? 0) >= 1_000, { what: '1,000 jobs done by worker A', timeoutMs: 60_000 });
    a.kill('SIGKILL');
    expect((await a.exited).signal).toBe('SIGKILL');
    const b = startWorker();
    await b.waitForLine(/worker consuming/);
    let last: Record<string, number> = {};
    const final = await eventually(async () => {
      last = await statusCounts();
      return (last.succeeded ?? 0) + (last.failed ?? 0) === JOBS ? last : undefined;
    }, { what: `all ${JOBS} jobs final`, timeoutMs: 180_000, intervalMs: 250 }).catch(async (err: Error) => {
      const counts = await producer.queues.get('sleepy').getJobCounts();
      throw new Error(`${err.message}; rows ${JSON.stringify(last)}; queue ${JSON.stringify(counts)}; worker B said:\n${b.lines.slice(-15).join('\n')}`);
    });
    expect(final.running ?? 0).toBe(0);
    expect(final.queued ?? 0).toBe(0);
    const [failed] = await producer.core.pool.query<RowDataPacket[]>("SELECT error FROM executions WHERE worker_id = 'sleepy' AND status = 'failed'");
    for (const f of failed) expect(f.error).toBeTruthy();
    const [distinct] = await producer.core.pool.query<RowDataPacket[]>("SELECT COUNT(DISTINCT id) AS n FROM executions WHERE worker_id = 'sleepy'");
    expect(Number(distinct[0].n)).toBe(ids.length);
    b.kill('SIGTERM');
    expect((await b.exited).code).toBe(0);
  }, 300_000);

  it('a worker that lost its job lock cannot record its result over the new owner', async () => {
    const counterKey = `${t.redisPrefix}fence-counter`;
    const a = startWorker({ QUEUE_LOCK_DURATION_MS: '1000', QUEUE_STALLED_INTERVAL_MS: '500' });
    await a.waitForLine(/worker consuming/);
    // A blocks long enough for B to boot and take the job over even on a loaded machine.
    const id = await producer.dispatcher.trigger('fence', { counterKey, blockMs: 12_000 });
    await a.waitForLine(/run 1 started/);
    const b = startWorker({ QUEUE_LOCK_DURATION_MS: '1000', QUEUE_STALLED_INTERVAL_MS: '500' });
    await b.waitForLine(/run 2 finished/, 60_000);
    await a.waitForLine(/run 1 finished/, 60_000);
    // Let A flush everything it has, then exit.
    a.kill('SIGTERM');
    await a.exited;
    b.kill('SIGTERM');
    await b.exited;
    const [rows] = await producer.core.pool.query<RowDataPacket[]>('SELECT status, result FROM executions WHERE id = ?', [id]);
    expect(rows[0].status).toBe('succeeded');
    expect(readJson(rows[0].result)).toEqual({ pid: b.proc.pid, run: 2 });
    expect(a.lines.some((l) => /Missing lock for job/.test(l))).toBe(true);
  }, 90_000);
});
