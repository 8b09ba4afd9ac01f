/**
 * The ledger generator: N accounts and M entries written by the server itself (INSERT … SELECT from MariaDB's
 * SEQUENCE engine, `seq_1_to_N`), so no row crosses the wire. Values are derived from CRC32 hashes of the row
 * number: the same command always produces the same ledger.
 */
import type { Pool } from 'mysql2/promise';

export interface SeedOptions {
  /** Accounts the ledger should hold (only the missing ones are added). */
  accounts: number;
  /** Entries to add. */
  entries: number;
  /** Last processing day (YYYY-MM-DD). */
  date: string;
  /** Entries are spread over the `days` days ending at `date`. @defaultValue 1 */
  days?: number;
  /** partition_id = crc32(account_no) mod partitions. */
  partitions: number;
  /** Rows per INSERT … SELECT statement. @defaultValue 50_000 */
  chunk?: number;
  /** Statements run at once. @defaultValue 2 */
  parallel?: number;
  onProgress?: (table: 'account' | 'entry', rows: number) => void;
}

export interface SeedResult {
  accountsAdded: number;
  entriesAdded: number;
  seconds: number;
}

/**
 * account_no of account number k: '08' + 10 digits, increasing with k — numbers are issued in sequence, as banks
 * do, so the account scan walks the entry index in its own order.
 */
const ACCOUNT_NO = (k: string): string => `CONCAT('08', LPAD(${k} * 7 + 100000, 10, '0'))`;

function accountChunk(from: number, to: number, partitions: number): string {
  return `INSERT INTO account (id, account_no, accounting_type, partition_id)
    SELECT s.seq, s.no, IF(CRC32(CONCAT('t', s.seq)) & 1, 'DR', 'CR'), CRC32(s.no) % ${partitions}
    FROM (SELECT seq, ${ACCOUNT_NO('seq')} AS no FROM seq_${from}_to_${to}) s`;
}

function entryChunk(from: number, to: number, accounts: number, date: string, days: number): string {
  const h1 = `CRC32(CONCAT('a', s.seq))`;
  const h2 = `CRC32(CONCAT('b', s.seq))`;
  const processing = `TIMESTAMP('${date}') - INTERVAL ((${h2} >> 1) % ${days}) DAY + INTERVAL ((${h2} >> 8) % 86400) SECOND`;
  return `INSERT INTO entry (transaction_id, account_no, amount, sign, account_category, currency, status, company_code, created_date, processing_date)
    SELECT CONCAT('TX', s.seq), ${ACCOUNT_NO(`(1 + ${h1} % ${accounts})`)}, (1 + ((${h1} >> 7) ^ ${h2}) % 100000000) / 100,
      IF(${h2} & 1, 'DR', 'CR'), ELT(1 + (${h2} >> 3) % 3, '01006', '05001', '05000'), 'VND', '1', 'SLUICE',
      ${processing}, ${processing}
    FROM seq_${from}_to_${to} s`;
}

/** Runs `statements` with at most `parallel` at once, each on its own pooled connection. */
async function runAll(pool: Pool, statements: Array<{ sql: string; rows: number }>, parallel: number, onDone: (rows: number) => void): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < statements.length) {
      const s = statements[next++];
      await pool.query(s.sql);
      onDone(s.rows);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, statements.length) }, lane));
}

function chunks(from: number, to: number, size: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let a = from; a <= to; a += size) out.push([a, Math.min(to, a + size - 1)]);
  return out;
}

async function scalar(pool: Pool, sql: string): Promise<number> {
  const [rows] = (await pool.query(sql)) as unknown as [Array<{ n: number | string | null }>];
  return Number(rows[0]?.n ?? 0);
}

/** Adds the missing accounts 1..N and M entries numbered after the existing ones. */
export async function seedLedger(pool: Pool, o: SeedOptions): Promise<SeedResult> {
  const started = performance.now();
  const chunk = o.chunk ?? 50_000;
  const parallel = o.parallel ?? 2;
  const haveAccounts = await scalar(pool, 'SELECT COALESCE(MAX(id), 0) AS n FROM account');
  const accountStatements = chunks(haveAccounts + 1, o.accounts, chunk).map(([a, b]) => ({ sql: accountChunk(a, b, o.partitions), rows: b - a + 1 }));
  await runAll(pool, accountStatements, parallel, (rows) => o.onProgress?.('account', rows));
  const totalAccounts = Math.max(haveAccounts, o.accounts);
  const firstEntry = (await scalar(pool, 'SELECT COALESCE(MAX(entry_id), 0) AS n FROM entry')) + 1;
  const entryStatements = o.entries > 0 && totalAccounts > 0
    ? chunks(firstEntry, firstEntry + o.entries - 1, chunk).map(([a, b]) => ({ sql: entryChunk(a, b, totalAccounts, o.date, o.days ?? 1), rows: b - a + 1 }))
    : [];
  await runAll(pool, entryStatements, parallel, (rows) => o.onProgress?.('entry', rows));
  const accountsAdded = accountStatements.reduce((n, s) => n + s.rows, 0);
  const entriesAdded = entryStatements.reduce((n, s) => n + s.rows, 0);
  return { accountsAdded, entriesAdded, seconds: (performance.now() - started) / 1000 };
}
