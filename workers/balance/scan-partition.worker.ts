import { NonRetryableError, Schedule, ScheduleWorker, type RunContext } from '../../app';
import { findPartition, insertBatches, nextAccountIds, type NewBatch } from './jobs.repository';
import { ensureLedger } from './migrate';
import { ScanPartitionParams } from './params';
import { balanceSettings } from './settings';
import { DATA_ERRORS, TASK } from './task-ids';

/** Cuts a run of ascending account ids into batches of `size`, numbered from `firstSeq`. */
export function cutBatches(ids: number[], size: number, firstSeq: number): NewBatch[] {
  const out: NewBatch[] = [];
  for (let i = 0; i < ids.length; i += size) {
    const slice = ids.slice(i, i + size);
    out.push({ seq: firstSeq + out.length, fromId: slice[0], toId: slice[slice.length - 1], accounts: slice.length });
  }
  return out;
}

/**
 * Step 1b: walks one partition with keyset pagination on id (up to the max id cached for the job), cuts batches of
 * B accounts, records them and sends each to aggregate; then reports the partition's batch count. Deterministic
 * boundaries and job ids make a retried scan re-send nothing new.
 */
@Schedule({
  id: TASK.scanPartition, description: 'Balance: cuts one partition into batches', concurrency: 'BALANCE_SCAN_CONCURRENCY',
  attempts: 3, backoff: 1_000, history: 'failures', params: ScanPartitionParams, nonRetryable: [NonRetryableError, ...DATA_ERRORS],
})
export class BalanceScanPartitionWorker extends ScheduleWorker<ScanPartitionParams> {
  async run(ctx: RunContext<ScanPartitionParams>): Promise<{ batches: number }> {
    try {
      const batches = await this.scan(ctx);
      await ctx.enqueue(TASK.status, { kind: 'scanned', jobId: ctx.params.jobId, partition: ctx.params.partition, batches });
      return { batches };
    } catch (err) {
      if (!ctx.willRetry(err)) {
        const error = err instanceof Error ? err.message : String(err);
        await ctx.enqueue(TASK.status, { kind: 'scan-failed', jobId: ctx.params.jobId, partition: ctx.params.partition, error });
      }
      throw err;
    }
  }

  private async scan(ctx: RunContext<ScanPartitionParams>): Promise<number> {
    const { jobId, date, partition } = ctx.params;
    const { batchSize, scanStep } = balanceSettings(ctx.config);
    const pool = await ensureLedger();
    const cached = await findPartition(pool, jobId, partition);
    if (!cached) throw new NonRetryableError(`balance job ${jobId} has no partition ${partition}`);
    let cursor = 0;
    let seq = 1;
    for (;;) {
      ctx.signal.throwIfAborted();
      const ids = await nextAccountIds(pool, partition, cursor, cached.maxId, scanStep);
      if (!ids.length) return seq - 1;
      const batches = cutBatches(ids, batchSize, seq);
      await insertBatches(pool, jobId, partition, batches);
      for (const b of batches) {
        const params = { jobId, date, partition, seq: b.seq, round: 0, fromId: b.fromId, toId: b.toId };
        await ctx.enqueue(TASK.aggregate, params, { jobId: `${TASK.aggregate}:${jobId}:${partition}:${b.seq}:0` });
      }
      seq += batches.length;
      cursor = ids[ids.length - 1];
    }
  }
}
