/**
 * SUCCESS / FAILED events of a batch, sent to the status task. A batch reports FAILED only when no try is left
 * (last attempt, non-retryable error, cancellation, or a timeout on the last attempt), so it is counted once.
 */
import { JobCancelledError, JobTimeoutError, type RunContext } from '../../app';
import { TASK } from './task-ids';
import type { BatchRef, StatusParams } from './params';

export type Outcome = 'succeeded' | 'failed';

/** Enqueues the status event of a batch; its job id makes a repeated report a no-op while Bull keeps the job. */
export async function reportBatch(ctx: Pick<RunContext<unknown>, 'enqueue'>, b: BatchRef, outcome: Outcome, error?: string): Promise<void> {
  const event: StatusParams = { kind: 'batch', jobId: b.jobId, partition: b.partition, seq: b.seq, round: b.round, outcome, ...(error ? { error } : {}) };
  await ctx.enqueue(TASK.status, event, { jobId: `${TASK.status}:${b.jobId}:${b.partition}:${b.seq}:${b.round}:${outcome}` });
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs a batch step; when it fails for good (the core's `ctx.willRetry` says no try is left: last attempt,
 * cancellation, or an error the worker declares non-retryable such as DATA_ERRORS), reports FAILED with the error
 * before the failure is recorded. The run is raced against `ctx.signal`, so an abort (timeout, stop) is reported
 * from the signal itself, and work that finishes after the abort reports nothing.
 */
export async function finalFailureReported<T>(ctx: RunContext<unknown>, b: BatchRef, work: () => Promise<T>): Promise<T> {
  const onAbort = (): void => {
    const reason: unknown = ctx.signal.reason;
    if (ctx.willRetry(reason) || !(reason instanceof JobTimeoutError || reason instanceof JobCancelledError)) return;
    reportBatch(ctx, b, 'failed', message(reason)).catch((err: unknown) => ctx.log.error(`could not report batch ${b.partition}/${b.seq} as failed: ${message(err)}`));
  };
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const result = await work();
    ctx.signal.throwIfAborted();
    return result;
  } catch (err) {
    if (!ctx.signal.aborted && !ctx.willRetry(err)) await reportBatch(ctx, b, 'failed', message(err));
    throw err;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
}
