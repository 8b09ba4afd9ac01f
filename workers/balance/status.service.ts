/**
 * Counting batches exactly. Each event changes a batch (or partition) row only when it moves it to a new state,
 * and changes the job's counters in the same transaction by exactly that move; a duplicate or late event moves
 * nothing, so counters stay exact under retries, duplicate deliveries and several status processes.
 */
import type { Pool, PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { findJob, type JobStatus } from './jobs.repository';
import type { StatusParams } from './params';

type BatchEvent = Extract<StatusParams, { kind: 'batch' }>;
type ScannedEvent = Extract<StatusParams, { kind: 'scanned' }>;

export interface Applied { changed: boolean; jobStatus: JobStatus | null }

async function inTransaction<T>(pool: Pool, fn: (conn: PoolConnection) => Promise<T>): Promise<T> {
  const conn = await pool.getConnection();
  try {
    await conn.beginTransaction();
    try {
      const result = await fn(conn);
      await conn.commit();
      return result;
    } catch (err) {
      await conn.rollback();
      throw err;
    }
  } finally {
    conn.release();
  }
}

/** Closes the job once every partition reported its batches and every batch is counted. Returns its status. */
async function closeIfDone(conn: PoolConnection, jobId: number): Promise<JobStatus | null> {
  const job = await findJob(conn, jobId, true);
  if (!job) return null;
  const counted = job.batchesSucceeded + job.batchesFailed;
  if (job.status !== 'running' || job.partitions === null || job.partitionsScanned < job.partitions || counted < job.totalBatches) return job.status;
  const status: JobStatus = job.batchesFailed > 0 ? 'completed_with_failures' : 'completed';
  await conn.query(`UPDATE balance_job SET status = ?, finished_at = NOW(3) WHERE id = ?`, [status, jobId]);
  return status;
}

async function applyBatch(conn: PoolConnection, e: BatchEvent): Promise<boolean> {
  const [found] = await conn.query<RowDataPacket[]>('SELECT status, retries FROM balance_batch WHERE job_id = ? AND partition_id = ? AND seq = ? FOR UPDATE', [e.jobId, e.partition, e.seq]);
  const batch = found[0] as { status: string; retries: number } | undefined;
  if (!batch) throw new Error(`balance job ${e.jobId} has no batch ${e.partition}/${e.seq}`);
  // An event of an earlier round (before a retry-failed) or one already counted moves nothing.
  if (e.round < batch.retries || batch.status === e.outcome) return false;
  await conn.query('UPDATE balance_batch SET status = ?, error = ?, updated_at = NOW(3) WHERE job_id = ? AND partition_id = ? AND seq = ?',
    [e.outcome, e.outcome === 'failed' ? (e.error ?? 'failed') : null, e.jobId, e.partition, e.seq]);
  const delta = (s: string): number => (e.outcome === s ? 1 : 0) - (batch.status === s ? 1 : 0);
  await conn.query('UPDATE balance_job SET batches_succeeded = batches_succeeded + ?, batches_failed = batches_failed + ? WHERE id = ?',
    [delta('succeeded'), delta('failed'), e.jobId]);
  return true;
}

async function applyScanned(conn: PoolConnection, e: ScannedEvent): Promise<boolean> {
  const [res] = await conn.query<ResultSetHeader>('UPDATE balance_partition SET batches = ? WHERE job_id = ? AND partition_id = ? AND batches IS NULL', [e.batches, e.jobId, e.partition]);
  if (res.affectedRows !== 1) return false;
  await conn.query('UPDATE balance_job SET partitions_scanned = partitions_scanned + 1, total_batches = total_batches + ? WHERE id = ?', [e.batches, e.jobId]);
  return true;
}

async function applyScanFailed(conn: PoolConnection, jobId: number, error: string): Promise<boolean> {
  const [res] = await conn.query<ResultSetHeader>(`UPDATE balance_job SET status = 'failed', error = ?, finished_at = NOW(3) WHERE id = ? AND status IN ('queued', 'running')`, [error, jobId]);
  return res.affectedRows === 1;
}

/** Puts the job's failed batches back to pending (next round) and reopens the job. */
async function applyRetry(conn: PoolConnection, jobId: number): Promise<boolean> {
  const [res] = await conn.query<ResultSetHeader>(`UPDATE balance_batch SET status = 'pending', retries = retries + 1, error = NULL, updated_at = NOW(3) WHERE job_id = ? AND status = 'failed'`, [jobId]);
  if (!res.affectedRows) return false;
  await conn.query(`UPDATE balance_job SET batches_failed = batches_failed - ?, status = 'running', finished_at = NULL WHERE id = ?`, [res.affectedRows, jobId]);
  return true;
}

/** Applies one status event in one transaction and closes the job when it is done. */
export function applyStatusEvent(pool: Pool, e: StatusParams): Promise<Applied> {
  return inTransaction(pool, async (conn) => {
    let changed: boolean;
    if (e.kind === 'batch') changed = await applyBatch(conn, e);
    else if (e.kind === 'scanned') changed = await applyScanned(conn, e);
    else if (e.kind === 'scan-failed') changed = await applyScanFailed(conn, e.jobId, e.partition === undefined ? e.error : `partition ${e.partition}: ${e.error}`);
    else changed = await applyRetry(conn, e.jobId);
    return { changed, jobStatus: await closeIfDone(conn, e.jobId) };
  });
}
