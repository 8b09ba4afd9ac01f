/**
 * Re-running failed executions (POST /executions/:id/retry and the bulk retry of a worker's failed runs). A retry
 * is a new execution with trigger `retry` whose parent_execution_id is the original; the original records its
 * retry in `retried_as`, so a run is retried once (a double click or two bulk calls never enqueue it twice).
 */
import { randomUUID } from 'node:crypto';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { Container } from '../../runtime/container';
import type { JobData } from '../../services/dispatcher';
import { readJson } from '../../database/connection';
import { ApiErrors } from '../errors';

export const RETRYABLE_STATUSES = ['failed', 'timed_out', 'cancelled'] as const;

interface Claimed {
  id: string;
  workerId: string;
  jobId: string | null;
  params: unknown;
}

export interface RetryItem {
  executionId: string;
  retryOf: string;
  workerId: string;
}

export interface RetryOutcome {
  /** Original id → the id of its retry. */
  retried: RetryItem[];
}

export class Retries {
  constructor(private readonly c: Container) {}

  private get pool(): Pool {
    return this.c.core.pool;
  }

  /** Retries one run; 404 / 409 with the reason when it cannot be. */
  async one(id: string, triggeredBy: string | null): Promise<RetryItem> {
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT id, worker_id, status, retried_as FROM executions WHERE id = ?', [id]);
    const row = rows[0];
    if (!row) throw new ApiErrors.ExecutionNotFound(id);
    if (!(RETRYABLE_STATUSES as readonly string[]).includes(row.status)) throw new ApiErrors.NotRetryable(id, row.status);
    if (row.retried_as) throw new ApiErrors.AlreadyRetried(id, row.retried_as);
    this.assertSchedule(row.worker_id);
    const { retried } = await this.many([id], triggeredBy);
    if (!retried.length) {
      const [again] = await this.pool.query<RowDataPacket[]>('SELECT retried_as FROM executions WHERE id = ?', [id]);
      throw new ApiErrors.AlreadyRetried(id, String(again[0]?.retried_as ?? 'another request'));
    }
    return retried[0];
  }

  /** Retries the given runs that nobody retried yet; runs claimed by a concurrent call are left to it. */
  async many(ids: string[], triggeredBy: string | null): Promise<RetryOutcome> {
    const claimed = await this.claim(ids);
    const retried: RetryOutcome['retried'] = [];
    for (const [i, run] of claimed.entries()) {
      try {
        const params = await this.paramsOf(run);
        const executionId = await this.c.dispatcher.enqueue(run.workerId, params, { trigger: 'retry', parentExecutionId: run.id, triggeredBy });
        await this.pool.query('UPDATE executions SET retried_as = ? WHERE id = ?', [executionId, run.id]);
        retried.push({ executionId, retryOf: run.id, workerId: run.workerId });
      } catch (err) {
        // Not enqueued: release this claim and the ones not tried yet, so those runs can be retried later.
        await this.pool.query('UPDATE executions SET retried_as = NULL WHERE id IN (?)', [claimed.slice(i).map((r) => r.id)]);
        throw err;
      }
    }
    return { retried };
  }

  private assertSchedule(workerId: string): void {
    const def = this.c.registry.get(workerId);
    if (!def) throw new ApiErrors.WorkerNotFound(workerId);
    if (def.kind !== 'schedule') throw new ApiErrors.NotASchedule(def.id, def.kind);
  }

  /**
   * Marks runs as being retried with a per-call token (row locks make one call win each run), then reads back
   * the runs this call owns.
   */
  private async claim(ids: string[]): Promise<Claimed[]> {
    if (!ids.length) return [];
    const token = randomUUID();
    await this.pool.query('UPDATE executions SET retried_as = ? WHERE id IN (?) AND retried_as IS NULL AND status IN (?)', [token, ids, RETRYABLE_STATUSES]);
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT id, worker_id, job_id, params FROM executions WHERE id IN (?) AND retried_as = ? ORDER BY id', [ids, token]);
    return rows.map((r) => ({ id: r.id, workerId: r.worker_id, jobId: r.job_id ?? null, params: readJson(r.params) }));
  }

  /** The original params: Bull's copy while the failed job is kept (JOB_KEEP_FAILED), else the stored row. */
  private async paramsOf(run: Claimed): Promise<Record<string, unknown>> {
    this.assertSchedule(run.workerId);
    const job = run.jobId ? await this.c.queues.get(run.workerId).getJob(run.jobId) : null;
    const fromJob = (job?.data as JobData | undefined)?.executionId === run.id ? (job!.data as JobData).params : null;
    const params = fromJob ?? run.params;
    return params && typeof params === 'object' && !Array.isArray(params) ? (params as Record<string, unknown>) : {};
  }
}
