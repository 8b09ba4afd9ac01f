/**
 * Execution rows and durable worker status through the batched path. Every execution write is a full-row
 * snapshot carrying an ownership fence: MySQL keeps a column only when the incoming fence is >= the row's, so a
 * process that lost its job lock cannot overwrite the record of the process that took the job over.
 */
import type { Pool } from 'mysql2/promise';
import { escape } from 'mysql2';
import { BatchWriter } from '../../../plugins/batcher';
import { isPermanentMysqlError } from '../database/errors';
import { isoTime } from './clock';
import { Redactor } from './redact';
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
  /** Token name of whoever triggered the run through the API. @defaultValue null */
  triggeredBy?: string | null;
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



const EXEC_COLUMNS = ['id', 'worker_id', '`trigger`', 'params', 'status', 'attempt', 'progress', 'result', 'error', 'job_id', 'parent_execution_id', 'triggered_by', 'queued_at', 'started_at', 'finished_at', 'duration_ms', 'rev', 'fence'];
// A write wins when its (fence, rev) is not older than the row's. rev and fence are assigned last, in that order:
// MySQL evaluates assignments left to right and later ones see the values already updated.
const NEWER = '(VALUES(fence) > fence OR (VALUES(fence) = fence AND VALUES(rev) >= rev))';
// Columns fixed when the job is enqueued are never rewritten (less work per row, no JSON re-check of params).
const IMMUTABLE = new Set(['id', 'fence', 'worker_id', '`trigger`', 'params', 'job_id', 'parent_execution_id', 'triggered_by', 'queued_at']);
const EXEC_UPDATE = EXEC_COLUMNS.filter((c) => !IMMUTABLE.has(c))
  .map((c) => `${c} = IF(${NEWER}, VALUES(${c}), ${c})`)
  .concat('fence = GREATEST(fence, VALUES(fence))').join(', ');
const EXEC_INSERT = `INSERT INTO executions (${EXEC_COLUMNS.join(', ')}) VALUES `;
const EXEC_ON_DUPLICATE = ` ON DUPLICATE KEY UPDATE ${EXEC_UPDATE}`;

const STATUS_SQL = `INSERT INTO worker_status (worker_id, state, last_execution_id, last_started_at, last_finished_at, last_result, last_error, consecutive_failures, updated_at) VALUES ?
 ON DUPLICATE KEY UPDATE state = VALUES(state), last_execution_id = COALESCE(VALUES(last_execution_id), last_execution_id),
 last_started_at = COALESCE(VALUES(last_started_at), last_started_at), last_finished_at = COALESCE(VALUES(last_finished_at), last_finished_at),
 last_result = COALESCE(VALUES(last_result), last_result), last_error = COALESCE(VALUES(last_error), last_error),
 consecutive_failures = COALESCE(VALUES(consecutive_failures), consecutive_failures), updated_at = VALUES(updated_at)`;

/**
 * A queued execution write: the row's SQL tuple, made when the change is recorded. Holding one string instead of
 * the snapshot (objects, dates, params) keeps what waits for the next flush small for the garbage collector, and
 * the flush only joins strings.
 */
interface RowWrite {
  id: string;
  fence: number;
  rev: number;
  tuple: string;
}

const str = (v: string | null): string => (v === null ? 'NULL' : escape(v));
const num = (v: number | null): string => (v === null || !Number.isFinite(v) ? 'NULL' : String(v));
/** DATETIME(3) in UTC (the pool's timezone is 'Z'). */
const date = (d: Date | null): string => (d === null || Number.isNaN(d.getTime()) ? 'NULL' : `'${isoTime(d.getTime()).slice(0, 23).replace('T', ' ')}'`);

/** Params, progress and result as redacted, capped JSON; the error as a redacted, capped text. */
function execTuple(r: ExecutionSnapshot, rev: number, red: Redactor): string {
  return `(${str(r.id)},${str(r.workerId)},${str(r.trigger)},${str(red.json(r.params))},${str(r.status)},${num(r.attempt)},`
    + `${str(red.json(r.progress))},${str(red.json(r.result))},${str(red.text(r.error))},${str(r.jobId)},${str(r.parentExecutionId)},${str(r.triggeredBy ?? null)},`
    + `${date(r.queuedAt)},${date(r.startedAt)},${date(r.finishedAt)},${num(r.durationMs)},${rev},${num(r.fence)})`;
}

const newer = (a: RowWrite, b: RowWrite): boolean => a.fence > b.fence || (a.fence === b.fence && a.rev >= b.rev);

function statusRow(r: WorkerStatusSnapshot, red: Redactor): unknown[] {
  return [r.workerId, r.state, r.lastExecutionId, r.lastStartedAt, r.lastFinishedAt, red.json(r.lastResult), red.text(r.lastError), r.consecutiveFailures, new Date()];
}

export interface ExecutionRecorderOptions {
  batchSize: number;
  /** Execution batches written at once (rows carry (fence, rev), so order does not matter). @defaultValue 1 */
  concurrency?: number;
  flushIntervalMs: number;
  maxQueued: number;
  reportIntervalMs: number;
  onReport: (message: string, meta: Record<string, unknown>) => void;
  /** Redacts and caps every value written (the process's Redactor). @defaultValue keys only, DEFAULT_LIMITS */
  redactor?: Redactor;
}

export class ExecutionRecorder {
  /** The process's redaction: what the recorder applies to rows, the job runner applies to the live state and Bull. */
  readonly redactor: Redactor;
  readonly writer: BatchWriter<RowWrite>;
  readonly statusWriter: BatchWriter<WorkerStatusSnapshot>;
  private rev = 0;
  /** Runs that started since the last start tick: recorded as running only if they are still going at the tick. */
  private readonly starting = new Map<string, { row: ExecutionSnapshot; writeRow: boolean }>();
  private startTimer: NodeJS.Timeout | null = null;
  private readonly startDelayMs: number;

  constructor(private readonly pool: Pool, opts: ExecutionRecorderOptions) {
    this.startDelayMs = opts.flushIntervalMs;
    this.redactor = opts.redactor ?? new Redactor();
    this.writer = new BatchWriter<RowWrite>({ name: 'executions', ...opts, isPermanent: isPermanentMysqlError, write: (rows) => this.writeExecutions(rows) });
    // One row per worker, updated by every flush: a single flight avoids lock waits between flights.
    this.statusWriter = new BatchWriter<WorkerStatusSnapshot>({ name: 'worker_status', ...opts, concurrency: 1, isPermanent: isPermanentMysqlError, write: (rows) => this.writeStatuses(rows) });
  }

  private snapshot(row: ExecutionSnapshot): RowWrite {
    const rev = ++this.rev;
    return { id: row.id, fence: row.fence, rev, tuple: execTuple(row, rev, this.redactor) };
  }

  execution(row: ExecutionSnapshot): void {
    if (this.starting.size) this.starting.delete(row.id);
    this.writer.push(this.snapshot(row));
  }

  /**
   * A run started (`row` is its live snapshot, status 'running'). Its running row and worker status are written at
   * the next start tick (within one flush interval) if it is still going then; a run that ends first is recorded
   * by its final row alone, which saves a row write per short job. Call `settled` when the run ends.
   */
  started(row: ExecutionSnapshot, writeRow: boolean): void {
    this.starting.set(row.id, { row, writeRow });
    if (!this.startTimer) {
      this.startTimer = setTimeout(() => this.recordStarts(), this.startDelayMs);
      this.startTimer.unref();
    }
  }

  /** The run ended (or was handed back): its start no longer needs recording. */
  settled(executionId: string): void {
    this.starting.delete(executionId);
  }

  private recordStarts(): void {
    if (this.startTimer) clearTimeout(this.startTimer);
    this.startTimer = null;
    for (const { row, writeRow } of this.starting.values()) {
      if (writeRow) this.writer.push(this.snapshot(row));
      this.statusWriter.push({ workerId: row.workerId, state: 'running', lastExecutionId: row.id, lastStartedAt: row.startedAt, lastFinishedAt: null, lastResult: null, lastError: null, consecutiveFailures: null });
    }
    this.starting.clear();
  }

  workerStatus(row: WorkerStatusSnapshot): void {
    this.statusWriter.push(row);
  }

  /** Writes everything queued in both writers; returns how many items could not be written in time. */
  async drain(timeoutMs = 10_000): Promise<number> {
    this.recordStarts();
    const [a, b] = await Promise.all([this.writer.drain(timeoutMs), this.statusWriter.drain(timeoutMs)]);
    return a + b;
  }

  async close(timeoutMs = 10_000): Promise<number> {
    this.recordStarts();
    const [a, b] = await Promise.all([this.writer.close(timeoutMs), this.statusWriter.close(timeoutMs)]);
    return a + b;
  }

  /** Coalesces a batch (the newest snapshot of a row wins) and upserts it in one statement, rows in id order. */
  private async writeExecutions(rows: RowWrite[]): Promise<void> {
    const latest = new Map<string, RowWrite>();
    for (const row of rows) {
      const prev = latest.get(row.id);
      if (!prev || newer(row, prev)) latest.set(row.id, row);
    }
    // Same lock order in every flight, so concurrent flights do not deadlock each other.
    const ordered = [...latest.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
    let values = '';
    for (let i = 0; i < ordered.length; i++) values += (i ? ',' : '') + ordered[i].tuple;
    await this.pool.query(EXEC_INSERT + values + EXEC_ON_DUPLICATE);
  }

  private async writeStatuses(rows: WorkerStatusSnapshot[]): Promise<void> {
    const merged = new Map<string, WorkerStatusSnapshot>();
    for (const row of rows) {
      const prev = merged.get(row.workerId);
      merged.set(row.workerId, prev ? mergeStatus(prev, row) : row);
    }
    const ordered = [...merged.values()].sort((a, b) => (a.workerId < b.workerId ? -1 : 1));
    await this.pool.query(STATUS_SQL, [ordered.map((r) => statusRow(r, this.redactor))]);
  }
}

/** Two status updates as one: later values win, a null in the later keeps the earlier value (as the upsert's COALESCE does). */
export function mergeStatus<T extends Partial<WorkerStatusSnapshot>>(a: T, b: T): T {
  return mergeStatusInto({ ...a }, b);
}

/** mergeStatus into `into` itself (an update the caller owns), without copying it. */
export function mergeStatusInto<T extends Partial<WorkerStatusSnapshot>>(into: T, b: T): T {
  for (const key in b) {
    if (Object.hasOwn(b, key) && b[key] !== null && b[key] !== undefined) into[key] = b[key];
  }
  return into;
}
