import { NonRetryableError, Schedule, ScheduleWorker, type AbandonedContext, type RunContext } from '../../app';
import { aggregateBatch, writeBatchInDatabase } from './balance.sql';
import { finalFailureReported, reportBatch } from './batch-outcome';
import { ensureLedger } from './migrate';
import { AggregateParams } from './params';
import { balanceSettings } from './settings';
import { DATA_ERRORS, TASK } from './task-ids';

/**
 * Step 2: one grouped query over a batch's accounts. With BALANCE_FUSE_PERSIST (default) the query feeds the
 * upsert inside the database and the batch is reported at once; otherwise its rows go to the persist task.
 */
@Schedule({
  id: TASK.aggregate, description: 'Balance: aggregates one batch of accounts', concurrency: 'BALANCE_AGGREGATE_CONCURRENCY',
  attempts: 3, backoff: 1_000, history: 'failures', timeoutMs: 300_000, params: AggregateParams, nonRetryable: [NonRetryableError, ...DATA_ERRORS],
})
export class BalanceAggregateWorker extends ScheduleWorker<AggregateParams> {
  async run(ctx: RunContext<AggregateParams>): Promise<{ accounts?: number }> {
    const b = ctx.params;
    const settings = balanceSettings(ctx.config);
    const pool = await ensureLedger();
    return finalFailureReported(ctx, b, async () => {
      if (settings.fusePersist) {
        await writeBatchInDatabase(pool, b);
        ctx.signal.throwIfAborted();
        await reportBatch(ctx, b, 'succeeded');
        return {};
      }
      const rows = await aggregateBatch(pool, b);
      ctx.signal.throwIfAborted();
      const persist = { jobId: b.jobId, date: b.date, partition: b.partition, seq: b.seq, round: b.round, rows };
      await ctx.enqueue(TASK.persist, persist, { jobId: `${TASK.persist}:${b.jobId}:${b.partition}:${b.seq}:${b.round}` });
      return { accounts: rows.accountNo.length };
    });
  }

  /** Bull gave up on this batch after it stalled repeatedly: count it as failed so the job can close. */
  override async onAbandoned(ctx: AbandonedContext<AggregateParams>): Promise<void> {
    await reportBatch(ctx, ctx.params, 'failed', ctx.error);
  }
}
