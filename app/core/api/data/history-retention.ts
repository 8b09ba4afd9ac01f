/**
 * History retention: MySQL keeps every run, log line and audit row only for as long as the settings say, so the
 * record does not grow without end (Celery's `result_expires`, BullMQ's `removeOnComplete` by age).
 *
 * Executions go by hour of `queued_at`, and only hours the /stats rollup has sealed: their counts and percentiles
 * stay in execution_stats_hourly, so GET /stats over an old range answers as before, and an hour that still holds a
 * queued or running run is never sealed and keeps all its rows. Cron fire claims go with their runs (a fire that
 * old is never enqueued again). Every DELETE removes at most RETENTION_BATCH rows through an index, so locks and undo
 * stay short while workers write.
 */
import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { floorHour, hourRuns, type StatsRollup } from './stats-rollup';

const DAY_MS = 86_400_000;

export interface RetentionSettings {
  /** EXECUTION_RETENTION_DAYS (30); 0 keeps runs forever. */
  executionDays: number;
  /** EXECUTION_LOG_RETENTION_DAYS (14); 0 keeps log lines forever. */
  logDays: number;
  /** AUDIT_RETENTION_DAYS (365); 0 keeps audit rows forever. */
  auditDays: number;
  /** RETENTION_BATCH (5,000): most rows one DELETE removes. */
  batch: number;
}

export interface RetentionReport {
  executions: number;
  cronFires: number;
  logs: number;
  audit: number;
}

export class HistoryRetention {
  constructor(private readonly pool: Pool, private readonly rollup: StatsRollup, private readonly s: RetentionSettings) {}

  /** Deletes what is past its retention at `now`; resolves to the rows deleted per table. */
  async sweep(now = Date.now()): Promise<RetentionReport> {
    const report: RetentionReport = { executions: 0, cronFires: 0, logs: 0, audit: 0 };
    if (this.s.executionDays > 0) {
      const cutoff = floorHour(now - this.s.executionDays * DAY_MS);
      report.executions = await this.executions(cutoff, now);
      report.cronFires = await this.cronFires(cutoff);
    }
    if (this.s.logDays > 0) report.logs = await this.batched('DELETE FROM execution_logs WHERE ts < ? LIMIT ?', [new Date(now - this.s.logDays * DAY_MS)]);
    if (this.s.auditDays > 0) report.audit = await this.batched('DELETE FROM audit_log WHERE ts < ? LIMIT ?', [new Date(now - this.s.auditDays * DAY_MS)]);
    return report;
  }

  /** Per worker: rolls up the hours before `cutoff`, then deletes the runs of the sealed ones. */
  private async executions(cutoff: number, now: number): Promise<number> {
    // MIN over the (worker_id, queued_at, …) index: one index dive per worker.
    const [workers] = await this.pool.query<RowDataPacket[]>('SELECT worker_id, MIN(queued_at) AS oldest FROM executions GROUP BY worker_id');
    let deleted = 0;
    for (const w of workers) {
      const workerId = String(w.worker_id);
      const oldest = floorHour(new Date(w.oldest).getTime());
      if (oldest >= cutoff) continue;
      await this.rollup.seal([workerId], oldest, cutoff, now);
      const sealed = [...(await this.rollup.sealedHours(workerId, oldest, cutoff))].sort((a, b) => a - b);
      for (const [a, b] of hourRuns(sealed)) {
        deleted += await this.batched('DELETE FROM executions WHERE worker_id = ? AND queued_at >= ? AND queued_at < ? LIMIT ?', [workerId, new Date(a), new Date(b)]);
      }
    }
    return deleted;
  }

  private async cronFires(cutoff: number): Promise<number> {
    const [workers] = await this.pool.query<RowDataPacket[]>('SELECT DISTINCT worker_id FROM cron_fires');
    let deleted = 0;
    for (const w of workers) deleted += await this.batched('DELETE FROM cron_fires WHERE worker_id = ? AND fire_at < ? LIMIT ?', [String(w.worker_id), new Date(cutoff)]);
    return deleted;
  }

  /** Runs a `… LIMIT ?` DELETE until it removes fewer than a batch; resolves to the rows removed. */
  private async batched(sql: string, params: unknown[]): Promise<number> {
    let total = 0;
    for (;;) {
      const [res] = await this.pool.query<ResultSetHeader>(sql, [...params, this.s.batch]);
      total += res.affectedRows;
      if (res.affectedRows < this.s.batch) return total;
    }
  }
}
