/** What a running job sees: `ctx` of `ScheduleWorker.run(ctx)`. */
import type { Redis } from 'ioredis';
import type { Db } from 'mongodb';
import type { MySql2Database } from 'drizzle-orm/mysql2';

export type Trigger = 'cron' | 'manual' | 'chained' | 'retry';
export type Progress = number | { done: number; total: number };

export interface RunLogger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

export interface EnqueueOptions {
  /** Start no sooner than this many ms from now. @defaultValue 0 */
  delayMs?: number;
  /**
   * Explicit Bull job id: while Bull keeps a job with this id, enqueueing it again adds nothing and answers with
   * that job's execution id (deduplication). @defaultValue the execution id
   */
  jobId?: string;
  /** Bull priority (1 = highest). @defaultValue none */
  priority?: number;
}

/** One job of `enqueueMany` (the same shape as `BulkJob` of the plugin API). */
export interface BulkJobSpec<P = Record<string, unknown>> {
  /** The job's params (validated against the worker's params schema). @defaultValue `{}` */
  params?: P;
  /** Start no sooner than this many ms from now. @defaultValue 0 */
  delayMs?: number;
  /** Deterministic job id: the same id enqueued twice is one job and one execution row. @defaultValue a new id */
  jobId?: string;
}

export interface ConfigReader {
  /** Resolved through the chain: worker row → global row → env → default. */
  get<T = unknown>(key: string): T;
}

export interface RunContext<P = Record<string, unknown>> {
  readonly executionId: string;
  readonly workerId: string;
  readonly trigger: Trigger;
  /** 1 for the first try. */
  readonly attempt: number;
  /** Tries this job has in all (the worker's `attempts` when it was enqueued). */
  readonly attempts: number;
  readonly params: P;
  readonly config: ConfigReader;
  /** Lines are stored in execution_logs against this execution. */
  readonly log: RunLogger;
  /** Fired on stop (cancel), timeout and shutdown past the grace period. */
  readonly signal: AbortSignal;
  readonly redis: Redis;
  progress(value: Progress): Promise<void>;
  /**
   * Publishes a plugin event (`<plugin>.<name>`, e.g. `balance.job`) on the event channel: /ws clients and other
   * processes receive it like the core's events.
   */
  publish(type: `${string}.${string}`, data: Record<string, unknown>): void;
  /** Chains a task: enqueues `workerId` with params (after `opts.delayMs`), returns the new execution id. */
  enqueue(workerId: string, params?: Record<string, unknown>, opts?: EnqueueOptions): Promise<string>;
  /**
   * Chains many tasks of one worker: one Bull `addBulk` and one batch of queued rows, each job with its own params,
   * `delayMs` and optional `jobId` (a held id answers with the execution holding it). Ids come back in order.
   */
  enqueueMany<Q = Record<string, unknown>>(workerId: string, jobs: readonly BulkJobSpec<Q>[]): Promise<string[]>;
  /**
   * Whether the run would be tried again if it failed now with `err`: false for a cancellation, a non-retryable
   * error (NonRetryableError, the worker's `nonRetryable` rules, bad params) and on the last attempt.
   */
  willRetry(err: unknown): boolean;
  /** The process' MongoDB database (MONGO_URL). */
  mongo(): Promise<Db>;
  /** Drizzle instance of a database declared with `@Database({ name })`. */
  database(name: string): MySql2Database<Record<string, never>>;
}

/**
 * What every long-lived handler gets — `@WebSocket` listeners and `@Stream` consumers: the services of
 * `RunContext` without a run (lines are stored against the worker, `enqueue` records trigger `chained`).
 */
export interface WorkerContext {
  readonly workerId: string;
  /** Lines are stored in execution_logs against this worker (no execution). */
  readonly log: RunLogger;
  /** Resolved through the chain: worker row → global row → env → default. */
  readonly config: ConfigReader;
  /** Fired when the handler's work is given up (stop, disable, lease lost, shutdown past the grace period). */
  readonly signal: AbortSignal;
  readonly redis: Redis;
  /** Publishes a plugin event (`<plugin>.<name>`) on the event channel, tagged with this worker. */
  publish(type: `${string}.${string}`, data: Record<string, unknown>): void;
  /** Enqueues `workerId` with params (trigger `chained`), returns the new execution id. */
  enqueue(workerId: string, params?: Record<string, unknown>, opts?: EnqueueOptions): Promise<string>;
  /** Enqueues many runs of one worker at once (trigger `chained`); resolves to their execution ids in order. */
  enqueueMany<Q = Record<string, unknown>>(workerId: string, jobs: readonly BulkJobSpec<Q>[]): Promise<string[]>;
  /** The process' MongoDB database (MONGO_URL). */
  mongo(): Promise<Db>;
  /** Drizzle instance of a database declared with `@Database({ name })`. */
  database(name: string): MySql2Database<Record<string, never>>;
}
