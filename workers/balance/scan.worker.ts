import { NonRetryableError, Schedule, ScheduleWorker, type RunContext } from '../../app';
import { isIsoDate, yesterdayIn } from './dates';
import { cachePartitions, createJob, findJob, startJob } from './jobs.repository';
import { ensureLedger } from './migrate';
import { ScanParams } from './params';
import { balanceSettings } from './settings';
import { TASK } from './task-ids';

/**
 * Step 1: every night at 00:05 (Asia/Ho_Chi_Minh) for the previous day, or on demand for `{ date, jobId }`.
 * Caches each partition's max id and account count, marks the job running and starts one scan per partition.
 */
@Schedule({
  id: TASK.scan, cron: '5 0 * * *', timezone: 'Asia/Ho_Chi_Minh', description: 'Balance: daily balances of every account for a day',
  attempts: 3, backoff: 2_000, params: ScanParams, overlap: 'skip',
})
export class BalanceScanWorker extends ScheduleWorker<ScanParams> {
  async run(ctx: RunContext<ScanParams>): Promise<{ jobId: number; date: string; partitions: number; accounts: number }> {
    const date = ctx.params.date ?? yesterdayIn(balanceSettings(ctx.config).timezone);
    if (!isIsoDate(date)) throw new NonRetryableError(`params.date: ${date} is not a calendar date (YYYY-MM-DD)`);
    const pool = await ensureLedger();
    const jobId = ctx.params.jobId ?? (await createJob(pool, `scan:${ctx.executionId}`, date));
    const job = await findJob(pool, jobId);
    if (!job) throw new NonRetryableError(`balance job ${jobId} does not exist`);
    if (job.balanceDate !== date) throw new NonRetryableError(`balance job ${jobId} is for ${job.balanceDate}, not ${date}`);
    const partitions = await cachePartitions(pool, jobId);
    const accounts = partitions.reduce((n, p) => n + p.accounts, 0);
    await startJob(pool, jobId, partitions.length, accounts);
    // An empty ledger has nothing to scan: one status event lets the status task close the job.
    if (!partitions.length) await ctx.enqueue(TASK.status, { kind: 'scanned', jobId, partition: 0, batches: 0 });
    for (const p of partitions) {
      await ctx.enqueue(TASK.scanPartition, { jobId, date, partition: p.partition }, { jobId: `${TASK.scanPartition}:${jobId}:${p.partition}` });
    }
    ctx.log.info('balance scan started', { jobId, date, partitions: partitions.length, accounts });
    return { jobId, date, partitions: partitions.length, accounts };
  }
}
