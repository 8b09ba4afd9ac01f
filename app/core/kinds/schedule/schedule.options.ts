/** Options of `@Schedule`. Every option documents its default and the setting behind it. */
import type { TSchema } from '@sinclair/typebox';

export type OverlapPolicy = 'skip' | 'queue' | 'allow';
export type CatchUpPolicy = 'none' | 'last';
export type HistoryPolicy = 'all' | 'failures';
export type ErrorClass = abstract new (...args: never[]) => Error;

export interface BackoffOptions {
  /** @defaultValue 'exponential' */
  type?: 'fixed' | 'exponential';
  /** First retry delay in ms. @defaultValue JOB_BACKOFF_MS (1000) */
  delayMs?: number;
}

export interface ScheduleOptions {
  /** Unique worker id. @defaultValue kebab-case class name without a `Worker` suffix */
  id?: string;
  /** 5- or 6-field cron (seconds first when 6). Absent = on-demand task. */
  cron?: string;
  /** IANA timezone the cron is read in. @defaultValue DEFAULT_TIMEZONE ('Asia/Ho_Chi_Minh') */
  timezone?: string;
  /** Shown in the registry and dashboard. @defaultValue '' */
  description?: string;
  /**
   * Jobs of this worker run at once in one worker process: a number, or the name of a setting (resolved through
   * the config chain when the worker process starts, so ops can tune it without a code change). @defaultValue 1
   */
  concurrency?: number | string;
  /**
   * A run is aborted (`ctx.signal`) and recorded `timed_out` after this long: ms, or the name of a setting (read
   * through the config chain when each run starts). @defaultValue JOB_TIMEOUT_MS (1 h)
   */
  timeoutMs?: number | string;
  /**
   * Tries per job, the first included: a number, or the name of a setting (read through the config chain when
   * each job is enqueued; a job keeps the number it was enqueued with). @defaultValue JOB_ATTEMPTS (1)
   */
  attempts?: number | string;
  /** Delay between tries: a number = exponential from that many ms. @defaultValue exponential from JOB_BACKOFF_MS */
  backoff?: number | BackoffOptions;
  /** What a run does while another run of the same worker is running, cluster-wide. @defaultValue 'skip' */
  overlap?: OverlapPolicy;
  /** Fires missed while no beat ran: 'last' enqueues the latest one at beat start. @defaultValue 'none' */
  catchUp?: CatchUpPolicy;
  /** 'failures' writes execution rows (and info logs) only for runs that do not succeed. @defaultValue 'all' */
  history?: HistoryPolicy;
  /** Initial state of the schedule; the API can change it durably. @defaultValue true */
  enabled?: boolean;
  /** Errors that must not be retried: message substrings, patterns or error classes. @defaultValue [] */
  nonRetryable?: Array<string | RegExp | ErrorClass>;
  /** TypeBox schema of `ctx.params`, checked when a job is enqueued and when it runs. @defaultValue none (any object) */
  params?: TSchema;
}
