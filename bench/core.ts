/**
 * Per-job overhead of a no-op @Schedule task through queue → execution row → Redis state, against bare Bull
 * processing the same number of jobs with the same concurrency, in the same run. Jobs are enqueued first; the
 * timer covers processing until every job is completed and (for Sluice) every execution row is written.
 *
 * Two Sluice workers are measured: the default (`history: 'all'`, one durable row per run) and a high-volume one
 * (`history: 'failures'`, rows only for runs that do not succeed). `ratio` is the default's.
 *
 * A third reference is the durable history a user would write by hand: bare Bull whose processor awaits one
 * mysql2 INSERT of an execution row per job (a pool as large as the concurrency). Targets: the default at least as
 * fast as that (`ratio_vs_handwritten` ≤ 1), `history: 'failures'` within 1.15× bare Bull.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import Bull from 'bull';
import mysql from 'mysql2/promise';
import { Schedule, ScheduleWorker } from '../app';
import { Container } from '../app/core/runtime/container';
import { startWorkerRole } from '../app/core/runtime/worker';
import { buildRegistry } from '../app/core/registry/worker-registry';
import { declarationOf } from '../app/core/decorators/declarations';
import { dropIsolated, intArg, isolatedNames, MYSQL_ROOT, REDIS_URL, report, round, settle } from './support';

const JOBS = intArg('jobs', 5_000);
const CONCURRENCY = intArg('concurrency', 10);
const ROUNDS = intArg('rounds', 5);

@Schedule({ id: 'bench-noop', concurrency: CONCURRENCY })
class NoopWorker extends ScheduleWorker {
  run() {
    return null;
  }
}

@Schedule({ id: 'bench-noop-failures', concurrency: CONCURRENCY, history: 'failures' })
class NoopFailuresWorker extends ScheduleWorker {
  run() {
    return null;
  }
}

/** Bare Bull with JOBS paused jobs and `processor` at CONCURRENCY: ms from resume until every job completed. */
async function timedBull(name: string, prefix: string, processor: (job: Bull.Job) => Promise<unknown>): Promise<number> {
  const q = new Bull(name, REDIS_URL, { prefix });
  await q.pause();
  await q.addBulk(Array.from({ length: JOBS }, (_, i) => ({ data: { i }, opts: { removeOnComplete: 1000 } })));
  let done = 0;
  const finished = new Promise<void>((resolve) => {
    q.on('completed', () => {
      if (++done === JOBS) resolve();
    });
  });
  void q.process(CONCURRENCY, processor);
  await q.isReady();
  const started = performance.now();
  await q.resume();
  await finished;
  const ms = performance.now() - started;
  await q.close();
  return ms;
}

function bareBull(prefix: string, round: number): Promise<number> {
  return timedBull(`bare-noop-${round}`, `${prefix}bare`, async () => null);
}

const HANDWRITTEN_TABLE = `CREATE TABLE IF NOT EXISTS handwritten_executions (
  id CHAR(36) PRIMARY KEY, job_id VARCHAR(64) NOT NULL, worker_id VARCHAR(128) NOT NULL, status VARCHAR(16) NOT NULL,
  params JSON NULL, result JSON NULL, started_at DATETIME(3) NOT NULL, finished_at DATETIME(3) NOT NULL, duration_ms INT NOT NULL)`;

/** Bare Bull + the history a user would write by hand: one awaited INSERT of an execution row per job. */
async function bullWithInsert(names: ReturnType<typeof isolatedNames>, round: number): Promise<number> {
  const admin = await mysql.createConnection(MYSQL_ROOT);
  await admin.query(`CREATE DATABASE IF NOT EXISTS \`${names.database}\``);
  await admin.end();
  const pool = mysql.createPool({ uri: names.databaseUrl, connectionLimit: CONCURRENCY });
  await pool.query(HANDWRITTEN_TABLE);
  const ms = await timedBull(`bare-insert-${round}`, `${names.prefix}hand`, async (job) => {
    const started = new Date();
    const result = null;
    const finishedAt = new Date();
    await pool.execute('INSERT INTO handwritten_executions (id, job_id, worker_id, status, params, result, started_at, finished_at, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [randomUUID(), String(job.id), 'bench-hand', 'succeeded', JSON.stringify(job.data), JSON.stringify(result), started, finishedAt, finishedAt.getTime() - started.getTime()]);
    return result;
  });
  const [rows] = await pool.query('SELECT COUNT(*) AS n FROM handwritten_executions WHERE job_id IS NOT NULL');
  await pool.query('TRUNCATE handwritten_executions');
  await pool.end();
  if (Number((rows as Array<{ n: number }>)[0].n) !== JOBS) throw new Error(`hand-written history: expected ${JOBS} rows`);
  return ms;
}

async function sluice(names: ReturnType<typeof isolatedNames>, round: number, cls: typeof NoopWorker): Promise<number> {
  const env = { ...process.env, DATABASE_URL: names.databaseUrl, REDIS_URL, REDIS_PREFIX: `${names.prefix}r${round}${cls.name}:`, LOG_LEVEL: 'warn' };
  const decl = declarationOf(cls)!;
  const options = decl.options as { id: string; history?: string };
  const id = options.id;
  const registry = buildRegistry([{ decl, file: __filename }], { timezone: 'UTC', timeoutMs: 60_000, attempts: 1, backoffMs: 1000 });
  const roundStart = new Date(Date.now() - 1);
  const producer = new Container({ role: 'bench-producer', env, registry, console: false });
  await producer.init();
  await producer.mirror.seedRegistry(registry);
  // Jobs wait in a paused queue while the worker boots, so the timer covers processing only (as for bare Bull).
  await producer.queues.get(id).pause();
  for (let i = 0; i < JOBS; i += 500) {
    await Promise.all(Array.from({ length: Math.min(500, JOBS - i) }, (_, k) => producer.dispatcher.trigger(id, { i: i + k })));
  }
  await producer.recorder.drain();
  const c = new Container({ role: 'bench-worker', env, registry, console: false });
  const role = await startWorkerRole(c);
  let done = 0;
  const finished = new Promise<void>((resolve) => {
    c.queues.get(id).on('completed', () => {
      if (++done === JOBS) resolve();
    });
  });
  const started = performance.now();
  await producer.queues.get(id).resume();
  await finished;
  await c.recorder.drain(60_000);
  const ms = performance.now() - started;
  const [rows] = await c.core.pool.query('SELECT status, COUNT(*) AS n FROM executions WHERE worker_id = ? AND queued_at >= ? GROUP BY status', [id, roundStart]);
  const counts = Object.fromEntries((rows as Array<{ status: string; n: number }>).map((r) => [r.status, Number(r.n)]));
  const expected = options.history === 'failures' ? {} : { succeeded: JOBS };
  if (JSON.stringify(counts) !== JSON.stringify(expected)) throw new Error(`${id}: expected execution rows ${JSON.stringify(expected)}, found ${JSON.stringify(counts)}`);
  // As run-worker.ts does: the role stops (reconciler, runners) before its container's pools close.
  await role.stop();
  await c.close();
  await producer.close();
  return ms;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Alternates the sides for ROUNDS rounds, in a turning order, and compares medians: one run of a side is noisy on 2 cores. */
async function main(): Promise<void> {
  const names = isolatedNames('core');
  try {
    const bullRuns: number[] = [];
    const handRuns: number[] = [];
    const sluiceRuns: number[] = [];
    const failuresRuns: number[] = [];
    let settledMs = 0;
    // Each side starts on a quiet machine: MariaDB flushing the rows of the side before would slow the next.
    const quiet = async <T>(side: () => Promise<T>): Promise<T> => {
      settledMs += await settle();
      return side();
    };
    // The order of the sides turns by one each round, so every side follows every other equally often: a side
    // run right after the default's 20,000 row writes (MariaDB's purge, this process's heap) pays for them.
    const sides: Array<() => Promise<void>> = [
      async () => void bullRuns.push(await quiet(() => bareBull(names.prefix, bullRuns.length))),
      async () => void handRuns.push(await quiet(() => bullWithInsert(names, handRuns.length))),
      async () => void sluiceRuns.push(await quiet(() => sluice(names, sluiceRuns.length, NoopWorker))),
      async () => void failuresRuns.push(await quiet(() => sluice(names, failuresRuns.length, NoopFailuresWorker))),
    ];
    for (let r = 0; r < ROUNDS; r++) {
      for (let k = 0; k < sides.length; k++) await sides[(r + k) % sides.length]();
    }
    const bullMs = median(bullRuns);
    const handMs = median(handRuns);
    const sluiceMs = median(sluiceRuns);
    const failuresMs = median(failuresRuns);
    report({
      bench: 'core', jobs: JOBS, concurrency: CONCURRENCY, rounds: ROUNDS,
      sluice_jobs_per_s: round(JOBS / (sluiceMs / 1000)), bull_jobs_per_s: round(JOBS / (bullMs / 1000)),
      sluice_us_per_job: round((sluiceMs * 1000) / JOBS), bull_us_per_job: round((bullMs * 1000) / JOBS),
      ratio: round(sluiceMs / bullMs, 2),
      handwritten_jobs_per_s: round(JOBS / (handMs / 1000)), ratio_vs_handwritten: round(sluiceMs / handMs, 2), target_ratio_vs_handwritten: 1,
      history_failures_jobs_per_s: round(JOBS / (failuresMs / 1000)), ratio_history_failures: round(failuresMs / bullMs, 2), target_ratio_history_failures: 1.15,
      // Each round's own ratio (its failures run over the bare Bull run of the same round): the spread on this machine.
      round_ratios_history_failures: failuresRuns.map((ms, r) => round(ms / bullRuns[r], 2)),
      runs_ms: { bull: bullRuns.map((ms) => Math.round(ms)), handwritten: handRuns.map((ms) => Math.round(ms)), sluice: sluiceRuns.map((ms) => Math.round(ms)), history_failures: failuresRuns.map((ms) => Math.round(ms)) },
      settled_ms: settledMs,
    });
  } finally {
    await dropIsolated(names);
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
