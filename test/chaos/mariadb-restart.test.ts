/**
 * A private MariaDB (mariadb-install-db into a temp datadir, mariadbd on a free port) as the core database,
 * restarted in the middle of a run: no process crashes, every job ends succeeded or failed-and-recorded, the log
 * lines written while MySQL was away are flushed (the queue bound is far above them), and /ready reports the
 * outage and then recovers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Container } from '../../app/core/runtime/container';
import { createTestEnv, eventually, type TestEnv } from '../support/isolation';
import { startProducer } from '../support/producer';
import { startMariadb, type PrivateServer } from './support/servers';
import { awaitOutage, CHAOS_ENV, endChaosRun, enqueue, expectAllRecorded, ready, startProcesses, statusCounts, type ChaosProcesses } from './support/chaos-run';

const JOBS = 4_000;
let db: PrivateServer;
let t: TestEnv;
let producer: Container;
let procs: ChaosProcesses | undefined;

beforeAll(async () => {
  db = await startMariadb();
  t = createTestEnv('chaos_mysql', CHAOS_ENV);
  t.env.DATABASE_URL = `${db.url}/${t.name}`;
  producer = await startProducer(t.env);
}, 120_000);
afterAll(() => endChaosRun({ procs, producer, server: db, t }));

describe('chaos: MariaDB restarted mid-run', () => {
  it(`${JOBS.toLocaleString('en')} jobs: none lost, nothing crashes, /ready shows the outage and recovers`, async () => {
    await enqueue(producer, JOBS);
    procs = await startProcesses(t.env);
    const url = `${db.url}/${t.name}`;
    await eventually(async () => ((await statusCounts(url).catch(() => ({} as Record<string, number>))).succeeded ?? 0) >= 800, { timeoutMs: 120_000, intervalMs: 200, what: '800 jobs done' });

    await db.stop();
    const outage = await awaitOutage(procs.readyUrl);
    expect(outage.checks.mysql.ok).toBe(false);
    expect(outage.checks.redis.ok).toBe(true);
    // Jobs go on while MySQL is away (their rows and log lines wait in the bounded queues).
    await new Promise((r) => setTimeout(r, 3_000));
    await db.start();
    await eventually(async () => (await ready(procs!.readyUrl)).status === 200, { timeoutMs: 60_000, what: '/ready to recover' });

    const final = await expectAllRecorded(url, JOBS, 240_000);
    expect(final.succeeded + final.failed).toBe(JOBS);
    expect(final.logs).toBe(JOBS);
    expect(procs.worker.proc.exitCode).toBeNull();
    expect(procs.api.proc.exitCode).toBeNull();
    await procs.stop();
    expect((await procs.worker.exited).code).toBe(0);
    expect((await procs.api.exited).code).toBe(0);
  }, 420_000);
});
