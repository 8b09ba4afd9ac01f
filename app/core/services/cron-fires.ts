/**
 * The durable half of "a cron fire runs once" (graphile-worker's unique key on schedule + fire time): the Bull job
 * id `workerId:fireTimeISO` dedupes an enqueue only while Bull keeps the completed job (JOB_KEEP_COMPLETED), so a
 * fire enqueued again after Bull trimmed it (a beat failover, a catch-up) would run twice. The first run of a fire
 * claims (worker, fire time) in MySQL; a later enqueue of the same fire finds the claim and is dropped.
 */
import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';

/** The fire time a cron job stands for, from its job id `workerId:fireTimeISO` (null for other jobs). */
export function fireTimeOf(workerId: string, jobId: string | number): Date | null {
  const id = String(jobId);
  if (!id.startsWith(`${workerId}:`)) return null;
  const at = new Date(id.slice(workerId.length + 1));
  return Number.isNaN(at.getTime()) ? null : at;
}

export interface FireClaim {
  workerId: string;
  fireAt: Date;
  executionId: string;
  /** Creation time of the Bull job (names one enqueue: its retries and re-takes keep it). */
  jobCreatedAt: number;
}

export class CronFires {
  constructor(private readonly pool: Pool) {}

  /** True when this enqueue of the fire may run: it claimed the fire now, or had claimed it on an earlier attempt. */
  async claim(c: FireClaim): Promise<boolean> {
    const [res] = await this.pool.query<ResultSetHeader>(
      'INSERT IGNORE INTO cron_fires (worker_id, fire_at, execution_id, job_created_at) VALUES (?, ?, ?, ?)',
      [c.workerId, c.fireAt, c.executionId, c.jobCreatedAt],
    );
    if (res.affectedRows === 1) return true;
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT job_created_at FROM cron_fires WHERE worker_id = ? AND fire_at = ?', [c.workerId, c.fireAt]);
    return rows.length === 0 || Number(rows[0].job_created_at) === c.jobCreatedAt;
  }

  /** Whether some run of the fire already claimed it (the beat skips enqueuing it again). */
  async claimed(workerId: string, fireAt: Date): Promise<boolean> {
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT 1 FROM cron_fires WHERE worker_id = ? AND fire_at = ?', [workerId, fireAt]);
    return rows.length > 0;
  }
}
