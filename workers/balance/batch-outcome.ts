/**
 * SUCCESS / FAILED events of a batch, sent to the status task. A batch reports FAILED only when no try is left
 * (last attempt, non-retryable error, cancellation, or a timeout on the last attempt), so it is counted once.
 */
import { JobCancelledError, JobTimeoutError, NonRetryableError, type RunContext } from '../../app';
import { DATA_ERRORS, TASK } from './task-ids';
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

/** Whether this failure ends the batch: nothing left to try, or a retry cannot help. */
export function isFinal(err: unknown, attempt: number, attempts: number): boolean {
  if (err instanceof NonRetryableError || err instanceof JobCancelledError) return true;
  if (err instanceof JobTimeoutError) return attempt >= attempts;
  return attempt >= attempts || DATA_ERRORS.some((re) => re.test(message(err)));
}

/**
 * Runs a batch step; when it fails for good, reports FAILED (with the error) before the failure is recorded.
 * The run is raced against `ctx.signal`, so an abort (timeout, stop) is reported from the signal itself, and
 * work that finishes after the abort reports nothing.
 */
export async function finalFailureReported<T>(ctx: RunContext<unknown>, b: BatchRef, attempts: number, work: () => Promise<T>): Promise<T> {
  const onAbort = (): void => {
    const reason: unknown = ctx.signal.reason;
    if (!isFinal(reason, ctx.attempt, attempts) || !(reason instanceof JobTimeoutError || reason instanceof JobCancelledError)) return;
    reportBatch(ctx, b, 'failed', message(reason)).catch((err: unknown) => ctx.log.error(`could not report batch ${b.partition}/${b.seq} as failed: ${message(err)}`));
  };
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const result = await work();
    ctx.signal.throwIfAborted();
    return result;
  } catch (err) {
    if (!ctx.signal.aborted && isFinal(err, ctx.attempt, attempts)) await reportBatch(ctx, b, 'failed', message(err));
    throw err;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
}
