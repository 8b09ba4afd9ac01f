import { Schedule, ScheduleWorker, type RunContext } from '../../app';
import { batchesIn } from './jobs.repository';
import { ensureLedger } from './migrate';
import { StatusParams } from './params';
import { applyStatusEvent } from './status.service';
import { TASK } from './task-ids';

/**
 * Step 4: counts batch outcomes and partition scans, and closes the job when everything is counted. One at a
 * time per process; the transitions are transactional, so several processes still count exactly.
 */
@Schedule({ id: TASK.status, description: 'Balance: counts batches and closes jobs', concurrency: 1, attempts: 5, backoff: 500, history: 'failures', params: StatusParams })
export class BalanceStatusWorker extends ScheduleWorker<StatusParams> {
  async run(ctx: RunContext<StatusParams>): Promise<{ changed: boolean; jobStatus: string | null; resent?: number }> {
    const pool = await ensureLedger();
    const applied = await applyStatusEvent(pool, ctx.params);
    if (ctx.params.kind !== 'retry') return applied;
    return { ...applied, resent: await this.resend(ctx, ctx.params.jobId) };
  }

  /**
   * Sends every batch put back to pending by retry-failed to aggregate again. Runs on each delivery of the retry
   * event (job ids carry the round, so a batch already sent is not sent twice).
   */
  private async resend(ctx: RunContext<StatusParams>, jobId: number): Promise<number> {
    const pool = await ensureLedger();
    const [job] = (await pool.query(`SELECT DATE_FORMAT(balance_date, '%Y-%m-%d') AS d FROM balance_job WHERE id = ?`, [jobId])) as unknown as [Array<{ d: string }>];
    if (!job[0]) throw new Error(`balance job ${jobId} does not exist`);
    const pending = (await batchesIn(pool, jobId, 'pending', 100_000)).filter((b) => b.retries > 0);
    for (const b of pending) {
      const params = { jobId, date: job[0].d, partition: b.partition, seq: b.seq, round: b.retries, fromId: b.fromId, toId: b.toId };
      await ctx.enqueue(TASK.aggregate, params, { jobId: `${TASK.aggregate}:${jobId}:${b.partition}:${b.seq}:${b.retries}` });
    }
    return pending.length;
  }
}
