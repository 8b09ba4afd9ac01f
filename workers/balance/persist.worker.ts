import { NonRetryableError, Schedule, ScheduleWorker, type AbandonedContext, type RunContext } from '../../app';
import { persistColumns } from './balance.sql';
import { finalFailureReported, reportBatch } from './batch-outcome';
import { ensureLedger } from './migrate';
import { PersistParams } from './params';
import { DATA_ERRORS, TASK } from './task-ids';

/** Step 3 (hand-off path): one multi-row upsert of a batch's rows, then its SUCCESS event (FAILED when no try is left). */
@Schedule({
  id: TASK.persist, description: 'Balance: writes one aggregated batch', concurrency: 'BALANCE_PERSIST_CONCURRENCY',
  attempts: 3, backoff: 1_000, history: 'failures', timeoutMs: 300_000, params: PersistParams, nonRetryable: [NonRetryableError, ...DATA_ERRORS],
})
export class BalancePersistWorker extends ScheduleWorker<PersistParams> {
  async run(ctx: RunContext<PersistParams>): Promise<{ rows: number }> {
    const b = ctx.params;
    const pool = await ensureLedger();
    return finalFailureReported(ctx, b, async () => {
      const rows = await persistColumns(pool, b.date, b.rows);
      ctx.signal.throwIfAborted();
      await reportBatch(ctx, b, 'succeeded');
      return { rows };
    });
  }

  /** Bull gave up on this batch after it stalled repeatedly: count it as failed so the job can close. */
  override async onAbandoned(ctx: AbandonedContext<PersistParams>): Promise<void> {
    await reportBatch(ctx, ctx.params, 'failed', ctx.error);
  }
}
