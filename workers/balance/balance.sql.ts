/**
 * The SQL of one batch: accounts `partition_id = P AND id BETWEEN from AND to`, their entries of day T (read from
 * the covering index), and the close of T−1. Open = close of T−1 (0 if none); close = open + credit − debit for
 * CR-normal accounts, open + debit − credit for DR-normal ones.
 */
import type { Pool, ResultSetHeader } from 'mysql2/promise';
import { addDays } from './dates';
import type { AggregateParams, BalanceColumns } from './params';

const COLUMNS = 'account_no, balance_date, open, close, debit_amount, credit_amount, debit_count, credit_count';
const UPSERT = `ON DUPLICATE KEY UPDATE open = VALUES(open), close = VALUES(close), debit_amount = VALUES(debit_amount),
  credit_amount = VALUES(credit_amount), debit_count = VALUES(debit_count), credit_count = VALUES(credit_count)`;

const DEBIT = `COALESCE(SUM(IF(e.sign = 'DR', e.amount, 0)), 0)`;
const CREDIT = `COALESCE(SUM(IF(e.sign = 'CR', e.amount, 0)), 0)`;
const OPEN = 'COALESCE(p.close, 0)';

/** The grouped query of a batch; `where` restricts the accounts (a batch range, or nothing for the whole ledger). */
export function groupedSelect(where: string): string {
  return `SELECT a.account_no, ? AS balance_date, ${OPEN} AS open,
      ${OPEN} + IF(a.accounting_type = 'DR', ${DEBIT} - ${CREDIT}, ${CREDIT} - ${DEBIT}) AS close,
      ${DEBIT} AS debit_amount, ${CREDIT} AS credit_amount,
      COUNT(IF(e.sign = 'DR', 1, NULL)) AS debit_count, COUNT(IF(e.sign = 'CR', 1, NULL)) AS credit_count
    FROM account a
    LEFT JOIN entry e ON e.account_no = a.account_no AND e.processing_date >= ? AND e.processing_date < ?
    LEFT JOIN daily_balance p ON p.account_no = a.account_no AND p.balance_date = ?
    ${where}
    GROUP BY a.id, a.account_no, a.accounting_type, p.close`;
}

/** Placeholders of `groupedSelect`, in order: T, T, T+1, T−1. */
export function dayArgs(date: string): string[] {
  return [date, date, addDays(date, 1), addDays(date, -1)];
}

const BATCH_WHERE = 'WHERE a.partition_id = ? AND a.id BETWEEN ? AND ?';
const batchArgs = (b: AggregateParams): Array<string | number> => [...dayArgs(b.date), b.partition, b.fromId, b.toId];

/** The whole INSERT … SELECT … GROUP BY (table name given so the benchmark can write its reference copy). */
export function insertSelect(table: string, where: string): string {
  return `INSERT INTO ${table} (${COLUMNS}) ${groupedSelect(where)} ${UPSERT}`;
}

/** Aggregate and write a batch in one statement, inside the database (the fused path). */
export async function writeBatchInDatabase(pool: Pool, b: AggregateParams): Promise<void> {
  await pool.query<ResultSetHeader>(insertSelect('daily_balance', BATCH_WHERE), batchArgs(b));
}

interface BalanceRow {
  account_no: string; open: string; close: string; debit_amount: string; credit_amount: string;
  debit_count: number | string; credit_count: number | string;
}

/** Aggregate a batch into columns for the persist task (the hand-off path). */
export async function aggregateBatch(pool: Pool, b: AggregateParams): Promise<BalanceColumns> {
  const [rows] = (await pool.query(groupedSelect(BATCH_WHERE), batchArgs(b))) as unknown as [BalanceRow[]];
  const out: BalanceColumns = { accountNo: [], open: [], close: [], debitAmount: [], creditAmount: [], debitCount: [], creditCount: [] };
  for (const r of rows) {
    out.accountNo.push(r.account_no);
    out.open.push(r.open);
    out.close.push(r.close);
    out.debitAmount.push(r.debit_amount);
    out.creditAmount.push(r.credit_amount);
    out.debitCount.push(Number(r.debit_count));
    out.creditCount.push(Number(r.credit_count));
  }
  return out;
}

/** One multi-row upsert of a batch's columns. */
export async function persistColumns(pool: Pool, date: string, c: BalanceColumns): Promise<number> {
  if (!c.accountNo.length) return 0;
  const values = c.accountNo.map((no, i) => [no, date, c.open[i], c.close[i], c.debitAmount[i], c.creditAmount[i], c.debitCount[i], c.creditCount[i]]);
  await pool.query<ResultSetHeader>(`INSERT INTO daily_balance (${COLUMNS}) VALUES ? ${UPSERT}`, [values]);
  return values.length;
}
