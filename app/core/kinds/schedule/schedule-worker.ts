import type { ConfigReader, RunContext, RunLogger } from '../../structures/context';

/** What `onAbandoned` receives: the job that ended without `run()` seeing its end. */
export interface AbandonedContext<P = Record<string, unknown>> {
  readonly executionId: string;
  readonly workerId: string;
  readonly params: P;
  /** Why it was abandoned (e.g. "job stalled more than allowable limit …"); the execution row carries it too. */
  readonly error: string;
  readonly config: ConfigReader;
  readonly log: RunLogger;
  readonly redis: RunContext<P>['redis'];
  /** The process' MongoDB database (MONGO_URL), as `RunContext.mongo()`. */
  mongo: RunContext<P>['mongo'];
  /** Drizzle instance of a database declared with `@Database({ name })`, as `RunContext.database()`. */
  database: RunContext<P>['database'];
  enqueue: RunContext<P>['enqueue'];
  enqueueMany: RunContext<P>['enqueueMany'];
  publish: RunContext<P>['publish'];
}

/** The third argument of `onFailed`. */
export interface FailureInfo {
  /** No try is left (last attempt, cancellation or a non-retryable error): the execution ends failed. */
  final: boolean;
}

/** Base of `@Schedule` classes. One instance per worker per process; `run` is called once per job. */
export abstract class ScheduleWorker<P = Record<string, unknown>, R = unknown> {
  abstract run(ctx: RunContext<P>): Promise<R> | R;

  /**
   * Optional: called when a job ends `failed` without `run()` seeing its end — Bull gave up on it after it stalled
   * more than QUEUE_MAX_STALLED_COUNT times (its processes crashed or blocked). The execution row is already
   * recorded; use this to settle your own bookkeeping (e.g. count a batch as failed).
   */
  onAbandoned?(ctx: AbandonedContext<P>): Promise<void> | void;

  /**
   * Optional: called when a run fails (a throw, a timeout or a stop), before the failure is recorded and before a
   * retry is scheduled; `final` says whether this was the last try. Use it to report a failure exactly once
   * (`if (final) …`). Not called for a shutdown interruption (the job is re-run elsewhere). A throw here is logged
   * against the execution and does not change its outcome.
   */
  onFailed?(ctx: RunContext<P>, err: unknown, info: FailureInfo): Promise<void> | void;
}
