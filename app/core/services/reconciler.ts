/**
 * Repairs execution rows a crash left behind. A job's final row is written through the batched path after its
 * result is handed to Bull, so a process killed in between leaves the row 'running' although Bull holds the
 * outcome. Rows 'running' whose run lease has lapsed are settled from Bull's record of the job; jobs Bull still
 * has waiting or active are left alone (stall recovery re-runs them).
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
    const [rows] = await this.deps.pool.query<RowDataPacket[]>(
      "SELECT * FROM executions WHERE status = 'running' AND worker_id IN (?) AND started_at < ? ORDER BY started_at LIMIT 500",
      [ids, new Date(Date.now() - this.deps.staleAfterMs)],
    );
    let settled = 0;
    for (const row of rows) if (await this.settle(row)) settled++;
    if (settled) this.deps.logger.warn(`reconciler settled ${settled} execution row(s) left 'running' by a crashed process`, { stored: false });
    return settled;
  }

  private async settle(row: RowDataPacket): Promise<boolean> {
    const alive = await this.deps.redis.zscore(this.deps.keys.overlap(row.worker_id), row.id);
    if (alive !== null && Number(alive) > Date.now()) return false;
    const job = row.job_id ? await this.deps.queues.get(row.worker_id).getJob(row.job_id) : null;
    const state = job ? await job.getState() : 'missing';
    if (state !== 'completed' && state !== 'failed' && state !== 'missing') return false;
    const finishedAt = job?.finishedOn ? new Date(job.finishedOn) : new Date();
    const startedAt = row.started_at ? new Date(row.started_at) : null;
    const snap: ExecutionSnapshot = {
      id: row.id, workerId: row.worker_id, trigger: row.trigger, params: readJson(row.params) ?? (job?.data as JobData | undefined)?.params ?? {},
      status: state === 'completed' ? 'succeeded' : 'failed', attempt: row.attempt, progress: readJson(row.progress), result: state === 'completed' ? job!.returnvalue ?? null : null,
      error: state === 'failed' ? job!.failedReason ?? 'failed' : state === 'missing' ? 'lost: the job is no longer in the queue (its process crashed before recording the outcome)' : null,
      jobId: row.job_id, parentExecutionId: row.parent_execution_id, fence: Date.now(), queuedAt: new Date(row.queued_at), startedAt,
      finishedAt, durationMs: startedAt ? Math.max(0, finishedAt.getTime() - startedAt.getTime()) : null,
    };
    this.deps.recorder.execution(snap);
    return true;
  }
}
