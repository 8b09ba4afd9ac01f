/**
 * Execution rows and durable worker status through the batched path. Every execution write is a full-row
 * snapshot carrying an ownership fence: MySQL keeps a column only when the incoming fence is >= the row's, so a
 * process that lost its job lock cannot overwrite the record of the process that took the job over.
 */
import type { Pool } from 'mysql2/promise';
import { BatchWriter } from './batch-writer';
import { isPermanentMysqlError } from '../database/errors';
import { redactSecrets } from './redact';
import type { Progress, Trigger } from '../structures/context';

export type ExecutionStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'timed_out' | 'cancelled' | 'skipped';
export const FINAL_STATUSES: readonly ExecutionStatus[] = ['succeeded', 'failed', 'timed_out', 'cancelled', 'skipped'];

export interface ExecutionSnapshot {
  id: string;
  workerId: string;
  trigger: Trigger;
  params: unknown;
  status: ExecutionStatus;
  attempt: number;
  progress: Progress | null;
  result: unknown;
  error: string | null;
  jobId: string | null;
  parentExecutionId: string | null;
  fence: number;
  queuedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  durationMs: number | null;
}

export interface WorkerStatusSnapshot {
  workerId: string;
  state: string;
  lastExecutionId: string | null;
  lastStartedAt: Date | null;
  lastFinishedAt: Date | null;
  lastResult: unknown;
  lastError: string | null;
  consecutiveFailures: number | null;
}

type Item = { table: 'executions'; row: ExecutionSnapshot } | { table: 'worker_status'; row: WorkerStatusSnapshot };

const MAX_JSON = 256 * 1024;

function jsonColumn(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const text = JSON.stringify(redactSecrets(value));
  if (text === undefined) return null;
  return text.length > MAX_JSON ? JSON.stringify({ truncated: true, bytes: text.length }) : text;
}

const EXEC_COLUMNS = ['id', 'worker_id', '`trigger`', 'params', 'status', 'attempt', 'progress', 'result', 'error', 'job_id', 'parent_execution_id', 'queued_at', 'started_at', 'finished_at', 'duration_ms', 'fence'];
// Fence last: MySQL evaluates assignments in order and later ones see the updated fence.
const EXEC_UPDATE = EXEC_COLUMNS.filter((c) => c !== 'id' && c !== 'fence')
  .map((c) => `${c} = IF(VALUES(fence) >= fence, VALUES(${c}), ${c})`)
  .concat('fence = GREATEST(fence, VALUES(fence))').join(', ');
const EXEC_SQL = `INSERT INTO executions (${EXEC_COLUMNS.join(', ')}) VALUES ? ON DUPLICATE KEY UPDATE ${EXEC_UPDATE}`;

const STATUS_SQL = `INSERT INTO worker_status (worker_id, state, last_execution_id, last_started_at, last_finished_at, last_result, last_error, consecutive_failures, updated_at) VALUES ?
 ON DUPLICATE KEY UPDATE state = VALUES(state), last_execution_id = COALESCE(VALUES(last_execution_id), last_execution_id),
 last_started_at = COALESCE(VALUES(last_started_at), last_started_at), last_finished_at = COALESCE(VALUES(last_finished_at), last_finished_at),
 last_result = COALESCE(VALUES(last_result), last_result), last_error = COALESCE(VALUES(last_error), last_error),
 consecutive_failures = COALESCE(VALUES(consecutive_failures), consecutive_failures), updated_at = VALUES(updated_at)`;

function execRow(r: ExecutionSnapshot): unknown[] {
  return [r.id, r.workerId, r.trigger, jsonColumn(r.params), r.status, r.attempt, jsonColumn(r.progress), jsonColumn(r.result),
    r.error, r.jobId, r.parentExecutionId, r.queuedAt, r.startedAt, r.finishedAt, r.durationMs, r.fence];
}

function statusRow(r: WorkerStatusSnapshot): unknown[] {
  return [r.workerId, r.state, r.lastExecutionId, r.lastStartedAt, r.lastFinishedAt, jsonColumn(r.lastResult), r.lastError, r.consecutiveFailures, new Date()];
}

export interface ExecutionRecorderOptions {
  batchSize: number;
  flushIntervalMs: number;
  maxQueued: number;
  reportIntervalMs: number;
  onReport: (message: string, meta: Record<string, unknown>) => void;
}

export class ExecutionRecorder {
  readonly writer: BatchWriter<Item>;

  constructor(private readonly pool: Pool, opts: ExecutionRecorderOptions) {
    this.writer = new BatchWriter<Item>({ name: 'executions', ...opts, isPermanent: isPermanentMysqlError, write: (items) => this.write(items) });
  }

  execution(row: ExecutionSnapshot): void {
    this.writer.push({ table: 'executions', row: { ...row } });
  }

  /** Resolves once the row is in MySQL: a job's final state is recorded before Bull acknowledges the job. */
  executionDurable(row: ExecutionSnapshot): Promise<void> {
    return this.writer.pushDurable({ table: 'executions', row: { ...row } });
  }

  workerStatus(row: WorkerStatusSnapshot): void {
    this.writer.push({ table: 'worker_status', row });
  }

  /** Coalesces a batch (the last snapshot of a row wins within it) and writes each table in one statement. */
  private async write(items: Item[]): Promise<void> {
    const execs = new Map<string, ExecutionSnapshot>();
    const statuses = new Map<string, WorkerStatusSnapshot>();
    for (const item of items) {
      if (item.table === 'executions') {
        const prev = execs.get(item.row.id);
        if (!prev || item.row.fence >= prev.fence) execs.set(item.row.id, item.row);
      } else {
        const prev = statuses.get(item.row.workerId);
        statuses.set(item.row.workerId, prev ? mergeStatus(prev, item.row) : item.row);
      }
    }
    if (execs.size) await this.pool.query(EXEC_SQL, [[...execs.values()].map(execRow)]);
    if (statuses.size) await this.pool.query(STATUS_SQL, [[...statuses.values()].map(statusRow)]);
  }
}

function mergeStatus(a: WorkerStatusSnapshot, b: WorkerStatusSnapshot): WorkerStatusSnapshot {
  return {
    workerId: b.workerId,
    state: b.state,
    lastExecutionId: b.lastExecutionId ?? a.lastExecutionId,
    lastStartedAt: b.lastStartedAt ?? a.lastStartedAt,
    lastFinishedAt: b.lastFinishedAt ?? a.lastFinishedAt,
    lastResult: b.lastResult ?? a.lastResult,
    lastError: b.lastError ?? a.lastError,
    consecutiveFailures: b.consecutiveFailures ?? a.consecutiveFailures,
  };
}
