/** A balance harness: Sluice in-process with the balance workers, on its own core database, prefix and ledger. */
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import type { FastifyInstance } from 'fastify';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { buildApiApp } from '../../../app/core/api/app';
import { balanceClasses } from '../../../workers/balance';
import { ensureLedger } from '../../../workers/balance/migrate';
import { startHarness, type Harness } from '../../support/harness';
import { eventually, MYSQL_ROOT } from '../../support/isolation';

export interface BalanceFixture {
  h: Harness;
  api: FastifyInstance;
  ledger: Pool;
  /** POST /plugins/balance/jobs, then waits until the job is closed; returns the job as GET shows it. */
  runDay(date: string): Promise<JobBody>;
  waitClosed(jobId: number): Promise<JobBody>;
  getJob(jobId: number): Promise<JobBody>;
  close(): Promise<void>;
}

export interface JobBody {
  jobId: number; date: string; status: string; totalBatches: number; batchesSucceeded: number; batchesFailed: number;
  accounts: number; durationMs: number | null; failedBatches?: Array<{ partition: number; seq: number; fromId: number; toId: number; accounts: number; error: string | null }>;
}

const CLOSED = ['completed', 'completed_with_failures', 'failed'];
const ADMIN_TOKEN = 'balance-admin-token-0123456789';
/** Headers of an admin caller (plugin routes sit behind the API's token check). */
export const asAdmin = { authorization: `Bearer ${ADMIN_TOKEN}` };

export async function startBalance(label: string, env: Record<string, string>): Promise<BalanceFixture> {
  const ledgerName = `sluice_t_ledger_${label}_${randomBytes(4).toString('hex')}`;
  const h = await startHarness(`bal_${label}`, balanceClasses, { LEDGER_DB_URL: `${MYSQL_ROOT}/${ledgerName}`, API_TOKENS: `ops:admin:${ADMIN_TOKEN}`, API_RATE_LIMIT_MAX: '100000', ...env });
  const api = await buildApiApp(h.container);
  const ledger = await ensureLedger();
  const getJob = async (jobId: number): Promise<JobBody> => {
    const res = await api.inject({ method: 'GET', url: `/plugins/balance/jobs/${jobId}`, headers: asAdmin });
    if (res.statusCode !== 200) throw new Error(`GET job ${jobId}: ${res.statusCode} ${res.body}`);
    return res.json<JobBody>();
  };
  // The job's end is a MySQL state no event announces; poll it through the API.
  const waitClosed = (jobId: number): Promise<JobBody> =>
    eventually(async () => {
      const job = await getJob(jobId);
      return CLOSED.includes(job.status) ? job : undefined;
    }, { timeoutMs: 45_000, what: `balance job ${jobId} to close` });
  return {
    h, api, ledger, getJob, waitClosed,
    async runDay(date) {
      const res = await api.inject({ method: 'POST', url: '/plugins/balance/jobs', payload: { date }, headers: asAdmin });
      if (res.statusCode !== 202) throw new Error(`POST jobs: ${res.statusCode} ${res.body}`);
      return waitClosed(res.json<{ jobId: number }>().jobId);
    },
    async close() {
      await api.close();
      await h.close();
      const conn = await mysql.createConnection(MYSQL_ROOT);
      await conn.query(`DROP DATABASE IF EXISTS \`${ledgerName}\``);
      await conn.end();
    },
  };
}

export async function one<T = Record<string, unknown>>(pool: Pool, sql: string, args: unknown[] = []): Promise<T> {
  const [rows] = await pool.query<RowDataPacket[]>(sql, args);
  return rows[0] as T;
}

/**
 * Rows of `date` that differ from an independent single-SQL reference. The ledger starts on the first seeded day,
 * so open(T) is every earlier entry signed by the account's normal side; close(T) adds day T's entries likewise.
 */
export async function mismatches(pool: Pool, date: string): Promise<number> {
  const r = await one<{ n: number }>(pool, `
    SELECT COUNT(*) AS n FROM (
      SELECT a.account_no,
        COALESCE(SUM(IF(e.processing_date < ?, IF(e.sign = a.accounting_type, e.amount, -e.amount), 0)), 0) AS open,
        COALESCE(SUM(IF(e.processing_date >= ?, IF(e.sign = a.accounting_type, e.amount, -e.amount), 0)), 0) AS net,
        COALESCE(SUM(IF(e.processing_date >= ? AND e.sign = 'DR', e.amount, 0)), 0) AS debit,
        COALESCE(SUM(IF(e.processing_date >= ? AND e.sign = 'CR', e.amount, 0)), 0) AS credit,
        COUNT(IF(e.processing_date >= ? AND e.sign = 'DR', 1, NULL)) AS dc,
        COUNT(IF(e.processing_date >= ? AND e.sign = 'CR', 1, NULL)) AS cc
      FROM account a LEFT JOIN entry e ON e.account_no = a.account_no AND e.processing_date < ? + INTERVAL 1 DAY
      GROUP BY a.account_no, a.accounting_type
    ) r LEFT JOIN daily_balance d ON d.account_no = r.account_no AND d.balance_date = ?
    WHERE d.account_no IS NULL OR d.open <> r.open OR d.close <> r.open + r.net OR d.debit_amount <> r.debit
      OR d.credit_amount <> r.credit OR d.debit_count <> r.dc OR d.credit_count <> r.cc`,
  [date, date, date, date, date, date, date, date]);
  return Number(r.n);
}
