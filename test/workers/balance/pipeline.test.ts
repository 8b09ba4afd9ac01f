import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedLedger } from '../../../workers/balance/ledger-seed';
import { asAdmin, mismatches, one, startBalance, type BalanceFixture } from './ledger-fixture';

const ACCOUNTS = 20_000;
const BATCH = 1_000;
const PARTITIONS = 4;
const DAYS = ['2024-03-01', '2024-03-02', '2024-03-03'];

/** Batches the scan must cut: per partition, its accounts in groups of B. */
async function expectedBatches(f: BalanceFixture): Promise<number> {
  const r = await one<{ n: number }>(f.ledger, `SELECT SUM(CEIL(n / ?)) AS n FROM (SELECT COUNT(*) AS n FROM account GROUP BY partition_id) t`, [BATCH]);
  return Number(r.n);
}

async function dayChecksum(f: BalanceFixture, date: string): Promise<string> {
  const r = await one<{ n: number; h: string }>(f.ledger, `SELECT COUNT(*) AS n, SUM(CRC32(CONCAT_WS('|', account_no, open, close, debit_amount, credit_amount, debit_count, credit_count))) AS h
    FROM daily_balance WHERE balance_date = ?`, [date]);
  return `${r.n}:${r.h}`;
}

describe.each([
  { mode: 'fused', fuse: 'true' },
  { mode: 'hand-off', fuse: 'false' },
])('balance pipeline ($mode: aggregate and persist exchange through $mode)', ({ mode, fuse }) => {
  let f: BalanceFixture;
  let batches: number;

  beforeAll(async () => {
    f = await startBalance(mode.replace('-', ''), { BALANCE_BATCH_SIZE: String(BATCH), BALANCE_PARTITIONS: String(PARTITIONS), BALANCE_SCAN_STEP: '3000', BALANCE_FUSE_PERSIST: fuse });
    await seedLedger(f.ledger, { accounts: ACCOUNTS, entries: 60_000, date: DAYS[2], days: 3, partitions: PARTITIONS });
    batches = await expectedBatches(f);
  });
  afterAll(async () => f?.close());

  it('summarises three consecutive days exactly, each day opening at the previous close', async () => {
    for (const date of DAYS) {
      const job = await f.runDay(date);
      expect(job).toMatchObject({ status: 'completed', accounts: ACCOUNTS, totalBatches: batches, batchesSucceeded: batches, batchesFailed: 0, failedBatches: [] });
      expect(job.durationMs).toBeGreaterThanOrEqual(0);
      expect(await mismatches(f.ledger, date)).toBe(0);
      expect(await one(f.ledger, 'SELECT COUNT(*) AS n FROM daily_balance WHERE balance_date = ?', [date])).toEqual({ n: ACCOUNTS });
    }
    const chained = await one<{ n: number }>(f.ledger, `SELECT COUNT(*) AS n FROM daily_balance d1 JOIN daily_balance d2 ON d2.account_no = d1.account_no
      AND d2.balance_date = ? WHERE d1.balance_date = ? AND d2.open = d1.close`, [DAYS[1], DAYS[0]]);
    expect(Number(chained.n)).toBe(ACCOUNTS);
  });

  it('answers 400 naming the field, 404 for an unknown job and 409 when nothing failed', async () => {
    const bad = await f.api.inject({ method: 'POST', url: '/plugins/balance/jobs', payload: { date: '2024-02-30' }, headers: asAdmin });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ field: 'body/date' });
    const malformed = await f.api.inject({ method: 'POST', url: '/plugins/balance/jobs', payload: { date: 'yesterday' }, headers: asAdmin });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().message).toMatch(/date/);
    expect((await f.api.inject({ method: 'GET', url: '/plugins/balance/jobs/999999', headers: asAdmin })).statusCode).toBe(404);
    const listed = await f.api.inject({ method: 'GET', url: `/plugins/balance/jobs?date=${DAYS[0]}`, headers: asAdmin });
    expect(listed.json().jobs).toEqual([expect.objectContaining({ date: DAYS[0], status: 'completed' })]);
    const retry = await f.api.inject({ method: 'POST', url: `/plugins/balance/jobs/${listed.json().jobs[0].jobId}/retry-failed`, headers: asAdmin });
    expect(retry.statusCode).toBe(409);
  });

  it('re-running a day rewrites the same rows and counts the same batches', async () => {
    const before = await dayChecksum(f, DAYS[1]);
    const job = await f.runDay(DAYS[1]);
    expect(job).toMatchObject({ status: 'completed', accounts: ACCOUNTS, totalBatches: batches, batchesSucceeded: batches, batchesFailed: 0 });
    expect(await dayChecksum(f, DAYS[1])).toBe(before);
    expect(await one(f.ledger, 'SELECT COUNT(*) AS n FROM daily_balance')).toEqual({ n: ACCOUNTS * DAYS.length });
  });

  it('counts a duplicated SUCCESS event once', async () => {
    const job = await f.runDay(DAYS[2]);
    const dup = await f.h.container.dispatcher.enqueue('balance-status', { kind: 'batch', jobId: job.jobId, partition: 0, seq: 1, round: 0, outcome: 'succeeded' });
    const finished = await f.h.waitForEvent((e) => e.type === 'execution.finished' && e.data.executionId === dup);
    expect(finished.data).toMatchObject({ status: 'succeeded' });
    expect(await f.getJob(job.jobId)).toMatchObject({ status: 'completed', batchesSucceeded: batches, batchesFailed: 0 });
  });

  it('records a batch that fails for good with its account range, and retry-failed completes the job', async () => {
    const date = '2024-03-04';
    // Two entries whose sum overflows DECIMAL(20,2): the batch of that account cannot be written.
    const victim = await one<{ id: number; account_no: string; partition_id: number }>(f.ledger, 'SELECT id, account_no, partition_id FROM account WHERE id = 12345');
    await f.ledger.query(`INSERT INTO entry (transaction_id, account_no, amount, sign, currency, status, created_date, processing_date)
      VALUES ('BAD1', ?, 900000000000000000, 'CR', 'VND', '1', ?, ?), ('BAD2', ?, 900000000000000000, 'CR', 'VND', '1', ?, ?)`,
    [victim.account_no, date, date, victim.account_no, date, date]);
    const job = await f.runDay(date);
    expect(job).toMatchObject({ status: 'completed_with_failures', totalBatches: batches, batchesSucceeded: batches - 1, batchesFailed: 1 });
    expect(job.failedBatches).toHaveLength(1);
    const failed = job.failedBatches![0];
    expect(failed.partition).toBe(victim.partition_id);
    expect(failed.fromId).toBeLessThanOrEqual(victim.id);
    expect(failed.toId).toBeGreaterThanOrEqual(victim.id);
    expect(failed.error).toMatch(/Out of range/);

    await f.ledger.query(`DELETE FROM entry WHERE transaction_id IN ('BAD1', 'BAD2')`);
    const retry = await f.api.inject({ method: 'POST', url: `/plugins/balance/jobs/${job.jobId}/retry-failed`, headers: asAdmin });
    expect(retry.statusCode).toBe(202);
    expect(retry.json()).toEqual({ jobId: job.jobId, batches: 1 });
    const done = await f.waitClosed(job.jobId);
    expect(done).toMatchObject({ status: 'completed', totalBatches: batches, batchesSucceeded: batches, batchesFailed: 0, failedBatches: [] });
    expect(await mismatches(f.ledger, date)).toBe(0);
  });
});
