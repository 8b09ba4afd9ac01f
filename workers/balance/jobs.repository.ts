/** Reads and writes of balance_job, balance_partition and balance_batch (plain SQL on the ledger pool). */
import type { Pool, PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';

export type JobStatus = 'queued' | 'running' | 'completed' | 'completed_with_failures' | 'failed';

export interface BalanceJobRow {
  id: number; balanceDate: string; status: JobStatus; partitions: number | null; partitionsScanned: number;
  totalBatches: number; batchesSucceeded: number; batchesFailed: number; accounts: number; error: string | null;
  createdAt: Date; startedAt: Date | null; finishedAt: Date | null;
}

export interface BatchRow { partition: number; seq: number; fromId: number; toId: number; accounts: number; status: string; retries: number; error: string | null }
export interface PartitionRow { partition: number; maxId: number; accounts: number; batches: number | null }
export interface NewBatch { seq: number; fromId: number; toId: number; accounts: number }

type Db = Pool | PoolConnection;

const JOB_COLUMNS = `id, DATE_FORMAT(balance_date, '%Y-%m-%d') AS balanceDate, status, partitions, partitions_scanned AS partitionsScanned,
  total_batches AS totalBatches, batches_succeeded AS batchesSucceeded, batches_failed AS batchesFailed, accounts, error,
  created_at AS createdAt, started_at AS startedAt, finished_at AS finishedAt`;

async function rows<T>(db: Db, sql: string, args: unknown[] = []): Promise<T[]> {
  const [result] = await db.query<RowDataPacket[]>(sql, args);
  return result as unknown as T[];
}

/** Creates the job of a request, or returns the one that request already created (a retried scan, a repeated call). */
export async function createJob(db: Db, requestId: string, date: string): Promise<number> {
  const [res] = await db.query<ResultSetHeader>(
    `INSERT INTO balance_job (request_id, balance_date, status) VALUES (?, ?, 'queued')
     ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id)`, [requestId, date]);
  return res.insertId;
}

export async function findJob(db: Db, id: number, lock = false): Promise<BalanceJobRow | undefined> {
  return (await rows<BalanceJobRow>(db, `SELECT ${JOB_COLUMNS} FROM balance_job WHERE id = ?${lock ? ' FOR UPDATE' : ''}`, [id]))[0];
}

export async function listJobs(db: Db, date: string | undefined, limit: number): Promise<BalanceJobRow[]> {
  return date
    ? rows(db, `SELECT ${JOB_COLUMNS} FROM balance_job WHERE balance_date = ? ORDER BY id DESC LIMIT ?`, [date, limit])
    : rows(db, `SELECT ${JOB_COLUMNS} FROM balance_job ORDER BY id DESC LIMIT ?`, [limit]);
}

export async function batchesIn(db: Db, jobId: number, status: string, limit: number): Promise<BatchRow[]> {
  return rows(db, `SELECT partition_id AS \`partition\`, seq, from_id AS fromId, to_id AS toId, accounts, status, retries, error
    FROM balance_batch WHERE job_id = ? AND status = ? ORDER BY partition_id, seq LIMIT ?`, [jobId, status, limit]);
}

/**
 * Caches each partition's account count and max id for the job (kept on a retried scan, so batch boundaries never
 * move) and returns what is stored.
 */
export async function cachePartitions(db: Db, jobId: number): Promise<PartitionRow[]> {
  await db.query(`INSERT IGNORE INTO balance_partition (job_id, partition_id, max_id, accounts)
    SELECT ?, partition_id, MAX(id), COUNT(*) FROM account GROUP BY partition_id`, [jobId]);
  return rows(db, `SELECT partition_id AS \`partition\`, max_id AS maxId, accounts, batches FROM balance_partition WHERE job_id = ? ORDER BY partition_id`, [jobId]);
}

export async function findPartition(db: Db, jobId: number, partition: number): Promise<PartitionRow | undefined> {
  return (await rows<PartitionRow>(db, `SELECT partition_id AS \`partition\`, max_id AS maxId, accounts, batches FROM balance_partition WHERE job_id = ? AND partition_id = ?`, [jobId, partition]))[0];
}

/** Marks the job running with its partition and account totals (the first time only: a retried scan changes nothing). */
export async function startJob(db: Db, jobId: number, partitions: number, accounts: number): Promise<void> {
  await db.query(`UPDATE balance_job SET status = 'running', partitions = ?, accounts = ?, started_at = NOW(3)
    WHERE id = ? AND status = 'queued'`, [partitions, accounts, jobId]);
}

/** Ids of the next `limit` accounts of a partition after `afterId`, up to the cached max id (keyset pagination). */
export async function nextAccountIds(db: Db, partition: number, afterId: number, maxId: number, limit: number): Promise<number[]> {
  const [result] = await db.query<RowDataPacket[]>({ sql: 'SELECT id FROM account WHERE partition_id = ? AND id > ? AND id <= ? ORDER BY id LIMIT ?', rowsAsArray: true }, [partition, afterId, maxId, limit]);
  return (result as unknown as Array<[number | string]>).map((r) => Number(r[0]));
}

/** Records batches as pending; already recorded ones (a retried scan) are kept as they are. */
export async function insertBatches(db: Db, jobId: number, partition: number, batches: NewBatch[]): Promise<void> {
  if (!batches.length) return;
  await db.query('INSERT IGNORE INTO balance_batch (job_id, partition_id, seq, from_id, to_id, accounts) VALUES ?',
    [batches.map((b) => [jobId, partition, b.seq, b.fromId, b.toId, b.accounts])]);
}
