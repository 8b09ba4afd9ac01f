/**
 * Repairs execution rows a crash left behind. Rows are written through the batched path, so a process killed
 * just after handing a result to Bull leaves the row 'running' (or still 'queued', when even the start was not
 * written) although Bull holds the outcome. Such rows are settled from Bull's record of the job; jobs Bull still
 * has waiting, delayed or active are left alone (stall recovery re-runs them). Passes walk the table with a
 * cursor, so a long backlog of genuinely queued jobs cannot hide a stuck row forever.
 */
import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { Redis } from 'ioredis';
import type winston from 'winston';
import type { WorkerRegistry } from '../registry/worker-registry';
import type { ExecutionRecorder, ExecutionSnapshot } from './execution-recorder';
import type { JobData } from './dispatcher';
import type { RedisKeys } from './redis';
import type { TaskQueues } from './task-queues';
import { readJson } from '../database/connection';

export interface ReconcilerDeps {
  pool: Pool;
  redis: Redis;
  keys: RedisKeys;
  queues: TaskQueues;
  registry: WorkerRegistry;
  recorder: ExecutionRecorder;
  logger: winston.Logger;
  /** Rows started longer ago than this are examined (the run lease TTL). */
  staleAfterMs: number;
}

export class Reconciler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private cursor = '';

  constructor(private readonly deps: ReconcilerDeps) {}

  start(intervalMs: number): void {
    void this.runOnce();
    this.timer = setInterval(() => void this.runOnce(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One pass; resolves to the number of rows settled. Never throws (a failed pass is logged and retried). */
  runOnce(): Promise<number> {
    this.running ??= this.pass().catch((err: unknown) => {
      this.deps.logger.warn(`reconciler pass failed: ${err instanceof Error ? err.message : String(err)}`, { stored: false });
      return 0;
    }).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async pass(): Promise<number> {
    const ids = this.deps.registry.schedules.map((s) => s.id);
    if (!ids.length) return 0;
    const limit = 500;
    const [rows] = await this.deps.pool.query<RowDataPacket[]>(
      "SELECT * FROM executions WHERE status IN ('running', 'queued') AND worker_id IN (?) AND COALESCE(started_at, queued_at) < ? AND id > ? ORDER BY id LIMIT ?",
      [ids, new Date(Date.now() - this.deps.staleAfterMs), this.cursor, limit],
    );
    this.cursor = rows.length === limit ? rows[rows.length - 1].id : '';
    let settled = 0;
    for (const row of rows) if (await this.settle(row)) settled++;
    if (settled) this.deps.logger.warn(`reconciler settled ${settled} execution row(s) a crashed process left unfinished`, { stored: false });
    return settled;
  }

  private async settle(row: RowDataPacket): Promise<boolean> {
    if (row.status === 'running') {
      const alive = await this.deps.redis.zscore(this.deps.keys.overlap(row.worker_id), row.id);
      if (alive !== null && Number(alive) > Date.now()) return false;
    }
    const job = row.job_id ? await this.deps.queues.get(row.worker_id).getJob(row.job_id) : null;
    const state = job ? await job.getState() : 'missing';
    if (state !== 'completed' && state !== 'failed' && state !== 'missing') return false;
    const finishedAt = job?.finishedOn ? new Date(job.finishedOn) : new Date();
    const startedAt = row.started_at ? new Date(row.started_at) : null;
    const snap: ExecutionSnapshot = {
      id: row.id, workerId: row.worker_id, trigger: row.trigger, params: readJson(row.params) ?? (job?.data as JobData | undefined)?.params ?? {},
      status: state === 'completed' ? 'succeeded' : 'failed', attempt: row.attempt, progress: readJson(row.progress), result: state === 'completed' ? job!.returnvalue ?? null : null,
      error: state === 'failed' ? job!.failedReason ?? 'failed' : state === 'missing' ? 'outcome unknown: the job is no longer in the queue and its process stopped before recording the outcome' : null,
      // Just above the fence read: beats a late write of the owner that left the row, never a write of the
      // process that ran (or re-ran) the job since (its take is later), which may still sit in its batch.
      jobId: row.job_id, parentExecutionId: row.parent_execution_id, fence: Number(row.fence) + 1, queuedAt: new Date(row.queued_at), startedAt,
      finishedAt, durationMs: startedAt ? Math.max(0, finishedAt.getTime() - startedAt.getTime()) : null,
    };
    this.deps.recorder.execution(snap);
    return true;
  }
}
