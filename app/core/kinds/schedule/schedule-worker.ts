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
  enqueue: RunContext<P>['enqueue'];
  publish: RunContext<P>['publish'];
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
}
