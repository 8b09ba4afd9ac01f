/**
 * Balance summary, 1,000,000 accounts / 2,000,000 entries end to end (SPEC §8.2, §10): the four-task pipeline
 * through real worker processes and Bull queues, against the best single INSERT … SELECT … GROUP BY writing the
 * same rows on the same server, in the same run. The ledger (`sluice_bench_ledger`) is seeded once and reused.
 *
 *   npm run bench -- balance [--accounts 1000000] [--entries 2000000] [--workers 1] [--batch 2000]
 *                            [--concurrency 2] [--fuse 1] [--partitions 10]
 */
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import type { Pool } from 'mysql2/promise';
import { Container } from '../app/core/runtime/container';
import { ensureDatabase } from '../app/core/database/connection';
import { dayArgs, insertSelect } from '../workers/balance/balance.sql';
import { createJob, findJob } from '../workers/balance/jobs.repository';
import { LedgerDb } from '../workers/balance/ledger.database';
import { seedLedger } from '../workers/balance/ledger-seed';
import { ensureLedger } from '../workers/balance/migrate';
import { dropIsolated, intArg, isolatedNames, MYSQL_ROOT, REDIS_URL, report, round } from './support';

const ACCOUNTS = intArg('accounts', 1_000_000);
const ENTRIES = intArg('entries', 2_000_000);
const WORKERS = intArg('workers', 1);
const BATCH = intArg('batch', 2_000);
const CONCURRENCY = intArg('concurrency', 3);
const FUSE = intArg('fuse', 1) === 1;
const PARTITIONS = intArg('partitions', 10);
const DATE = '2024-12-25';
const LEDGER_URL = `${MYSQL_ROOT}/sluice_bench_ledger`;
process.env.LEDGER_DB_URL = LEDGER_URL;

const log = (line: string): void => void process.stderr.write(`[bench balance] ${line}\n`);

async function count(pool: Pool, sql: string): Promise<number> {
  const [rows] = (await pool.query(sql)) as unknown as [Array<{ n: number }>];
  return Number(rows[0].n);
}

/** Seeds the bench ledger unless it already holds exactly the wanted accounts and entries. */
async function ledger(): Promise<Pool> {
  const pool = await ensureLedger();
  const have = { accounts: await count(pool, 'SELECT COUNT(*) AS n FROM account'), entries: await count(pool, 'SELECT COUNT(*) AS n FROM entry') };
  if (have.accounts === ACCOUNTS && have.entries === ENTRIES) {
    log(`reusing sluice_bench_ledger (${ACCOUNTS} accounts, ${ENTRIES} entries)`);
    return pool;
  }
  log(`seeding sluice_bench_ledger: ${ACCOUNTS} accounts, ${ENTRIES} entries`);
  await pool.query('TRUNCATE account');
  await pool.query('TRUNCATE entry');
  const seeded = await seedLedger(pool, { accounts: ACCOUNTS, entries: ENTRIES, date: DATE, days: 1, partitions: PARTITIONS });
  log(`seeded in ${seeded.seconds.toFixed(1)} s (${Math.round((ACCOUNTS + ENTRIES) / seeded.seconds)} rows/s)`);
  return pool;
}

function startWorker(env: NodeJS.ProcessEnv, i: number): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.resolve(__dirname, '../run-worker.ts')], { cwd: path.resolve(__dirname, '..'), env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    const onLine = (line: string): void => {
      if (/error|failed|warn/i.test(line)) log(`worker ${i}: ${line}`);
      if (/worker consuming/.test(line)) resolve(proc);
    };
    readline.createInterface({ input: proc.stdout! }).on('line', onLine);
    readline.createInterface({ input: proc.stderr! }).on('line', onLine);
    proc.once('exit', (code) => reject(new Error(`worker ${i} exited with ${code} before it was ready`)));
  });
}

/** Enqueues the scan for DATE and waits (polling balance_job) until the job is closed. */
async function pipeline(pool: Pool, env: NodeJS.ProcessEnv): Promise<{ seconds: number; status: string; batches: number }> {
  const c = new Container({ role: 'bench-balance', env, console: false });
  await c.init();
  await pool.query('TRUNCATE daily_balance');
  const jobId = await createJob(pool, `bench:${Date.now()}`, DATE);
  const started = performance.now();
  await c.dispatcher.enqueue('balance-scan', { date: DATE, jobId });
  for (;;) {
    const job = await findJob(pool, jobId);
    if (job && ['completed', 'completed_with_failures', 'failed'].includes(job.status)) {
      const seconds = (performance.now() - started) / 1000;
      await c.close();
      return { seconds, status: job.status, batches: job.totalBatches };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The reference: one INSERT … SELECT … GROUP BY over the whole ledger (with a temp table big enough for it). */
async function reference(pool: Pool): Promise<number> {
  await pool.query('CREATE TABLE IF NOT EXISTS daily_balance_ref LIKE daily_balance');
  await pool.query('TRUNCATE daily_balance_ref');
  const conn = await pool.getConnection();
  try {
    await conn.query('SET SESSION tmp_table_size = 1073741824, max_heap_table_size = 1073741824');
    const started = performance.now();
    await conn.query(insertSelect('daily_balance_ref', ''), dayArgs(DATE));
    return (performance.now() - started) / 1000;
  } finally {
    conn.release();
  }
}

async function mismatches(pool: Pool): Promise<number> {
  return count(pool, `SELECT COUNT(*) AS n FROM daily_balance_ref r LEFT JOIN daily_balance d ON d.account_no = r.account_no AND d.balance_date = r.balance_date
    WHERE d.account_no IS NULL OR d.open <> r.open OR d.close <> r.close OR d.debit_amount <> r.debit_amount OR d.credit_amount <> r.credit_amount
      OR d.debit_count <> r.debit_count OR d.credit_count <> r.credit_count`);
}

async function main(): Promise<void> {
  const names = isolatedNames('balance');
  const env: NodeJS.ProcessEnv = {
    ...process.env, DATABASE_URL: names.databaseUrl, REDIS_URL, REDIS_PREFIX: names.prefix, WORKERS_DIR: 'workers/balance', LOG_LEVEL: 'info',
    LEDGER_DB_URL: LEDGER_URL, BALANCE_BATCH_SIZE: String(BATCH), BALANCE_AGGREGATE_CONCURRENCY: String(CONCURRENCY),
    BALANCE_PERSIST_CONCURRENCY: String(CONCURRENCY), BALANCE_FUSE_PERSIST: String(FUSE), BALANCE_PARTITIONS: String(PARTITIONS),
  };
  const workers: ChildProcess[] = [];
  try {
    const pool = await ledger();
    await ensureDatabase(names.databaseUrl);
    for (let i = 0; i < WORKERS; i++) workers.push(await startWorker(env, i));
    const refSeconds = await reference(pool);
    log(`reference INSERT … SELECT: ${refSeconds.toFixed(1)} s`);
    const run = await pipeline(pool, env);
    log(`pipeline: ${run.seconds.toFixed(1)} s (${run.status}, ${run.batches} batches)`);
    const wrong = await mismatches(await ensureLedger());
    report({
      bench: 'balance', accounts: ACCOUNTS, entries: ENTRIES, batch_size: BATCH, partitions: PARTITIONS, worker_processes: WORKERS,
      aggregate_concurrency: CONCURRENCY, handoff: FUSE ? 'fused' : 'payload', batches: run.batches, status: run.status, mismatches: wrong,
      pipeline_s: round(run.seconds, 2), reference_s: round(refSeconds, 2), ratio: round(run.seconds / refSeconds, 2),
      accounts_per_s: Math.round(ACCOUNTS / run.seconds), target_s: 240, target_ratio: 1.5,
    });
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.once('exit', r)))));
    await LedgerDb.close();
    await dropIsolated(names);
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
