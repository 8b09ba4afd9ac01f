import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { Container } from '../../app/core/runtime/container';
import { createTestEnv, eventually, type TestEnv } from '../support/isolation';
import { ROOT, spawnTs, type Child } from '../support/child';

const WORKERS = path.relative(ROOT, path.resolve(__dirname, '../fixtures/workers/proc'));
let t: TestEnv;
let producer: Container;
const children: Child[] = [];

beforeAll(async () => {
  t = createTestEnv('shutdown', { WORKERS_DIR: WORKERS, EXECUTION_FLUSH_INTERVAL_MS: '20', QUEUE_LOCK_DURATION_MS: '2000', QUEUE_STALLED_INTERVAL_MS: '1000' });
  producer = new Container({ role: 'test', env: { ...process.env, ...t.env }, console: false });
  await producer.init();
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await producer?.close();
  await t?.cleanup();
});

async function statuses(ids: string[]): Promise<string[]> {
  const [rows] = await producer.core.pool.query<RowDataPacket[]>('SELECT status FROM executions WHERE id IN (?) ORDER BY id', [ids]);
  return rows.map((r) => r.status as string);
}

describe('graceful shutdown', () => {
  it('SIGTERM with jobs running: they finish within the grace period and the process exits 0', async () => {
    const w = spawnTs('run-worker.ts', { ...t.env, SHUTDOWN_GRACE_MS: '15000' });
    children.push(w);
    await w.waitForLine(/worker consuming/);
    const ids = await Promise.all([1, 2, 3].map((i) => producer.dispatcher.trigger('sleepy', { ms: 1500, tag: `job-${i}` })));
    await Promise.all([1, 2, 3].map((i) => w.waitForLine(new RegExp(`started job-${i}`))));
    const sentAt = Date.now();
    w.kill('SIGTERM');
    const exit = await w.exited;
    expect(exit.code).toBe(0);
    expect(Date.now() - sentAt).toBeLessThan(15_000);
    expect(await statuses(ids)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(w.lines.some((l) => /3 running job\(s\) finished, 0 interrupted/.test(l))).toBe(true);
  }, 60_000);

  it('past the grace period a running job is interrupted, left for another worker, and completed there', async () => {
    const w = spawnTs('run-worker.ts', { ...t.env, SHUTDOWN_GRACE_MS: '300' });
    children.push(w);
    await w.waitForLine(/worker consuming/);
    const id = await producer.dispatcher.trigger('sleepy', { ms: 4000, tag: 'long' });
    await w.waitForLine(/started long/);
    w.kill('SIGTERM');
    expect((await w.exited).code).toBe(0);
    expect(w.lines.some((l) => /0 running job\(s\) finished, 1 interrupted/.test(l))).toBe(true);
    const [row] = await statuses([id]);
    expect(row).toBe('queued');
    const next = spawnTs('run-worker.ts', { ...t.env, SHUTDOWN_GRACE_MS: '15000' });
    children.push(next);
    await eventually(async () => (await statuses([id]))[0] === 'succeeded', { timeoutMs: 30_000, what: 'the interrupted job to be re-run' });
    next.kill('SIGTERM');
    expect((await next.exited).code).toBe(0);
  }, 60_000);
});
