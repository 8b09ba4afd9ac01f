import { NonRetryableError, Schedule, ScheduleWorker, type AbandonedContext, type FailureInfo, type RunContext } from '../../app';
import { FcmCredentialsError } from '../../plugins/fcm';
import { taskPipeline } from './context';
import { failJob, giveUpChunk } from './jobs.repository';
import { pushStore } from './store';
import { ChunkParams } from './params';
import { publishProgress } from './progress';
import { sendChunk } from './send-chunk';
import { pushSettings } from './settings';
import { TASK } from './task-ids';
import './settings';

/**
 * Step 2 of a push job, one task per chunk: look up tokens, send, record outcomes (see send-chunk.ts). A task
 * that died is run again by the queue and resumes where the chunk's logs say it stopped.
 */
@Schedule({
  id: TASK.send, description: 'Push: sends one chunk of a push job', concurrency: 'PUSH_SEND_CONCURRENCY',
  attempts: 5, backoff: 2_000, history: 'failures', timeoutMs: 1_800_000, params: ChunkParams, nonRetryable: [NonRetryableError],
})
export class PushSendWorker extends ScheduleWorker<ChunkParams> {
  async run(ctx: RunContext<ChunkParams>): Promise<{ sent: number; failed: number; deactivated: number; skipped?: boolean }> {
    const { settings, pipeline } = await taskPipeline(ctx).catch(async (err: unknown) => {
      if (!(err instanceof FcmCredentialsError)) throw err;
      await failJob(await pushStore(await ctx.mongo()), ctx.params.jobId, err.message);
      throw new NonRetryableError(err.message);
    });
    const r = await sendChunk({ pipeline, settings, signal: ctx.signal, log: ctx.log }, ctx.params.jobId, ctx.params.chunk);
    if (!r.skipped) await publishProgress(pipeline.store, ctx.publish.bind(ctx), ctx.params.jobId, r.completed || r.jobFailed !== undefined);
    if (r.jobFailed) throw new NonRetryableError(r.jobFailed);
    return { sent: r.counts.sent, failed: r.counts.failed, deactivated: r.counts.deactivated, ...(r.skipped ? { skipped: true } : {}) };
  }

  /** The last try failed (a chunk whose job failed is settled already and left alone): close the chunk. */
  override async onFailed(ctx: RunContext<ChunkParams>, err: unknown, info: FailureInfo): Promise<void> {
    if (!info.final) return;
    await giveUp(ctx, err instanceof Error ? err.message : String(err));
  }

  /**
   * The queue gave up on the task: its workers died or blocked while sending this chunk more than
   * QUEUE_MAX_STALLED_COUNT times. Running it again would likely kill the next worker too, so the chunk is closed
   * the same way as when its retries are spent (its open pushes end failed, the job fails naming the chunk).
   */
  override async onAbandoned(ctx: AbandonedContext<ChunkParams>): Promise<void> {
    await giveUp(ctx, ctx.error);
  }
}

async function giveUp(ctx: Pick<RunContext<ChunkParams>, 'mongo' | 'config' | 'params' | 'publish'>, reason: string): Promise<void> {
  const store = await pushStore(await ctx.mongo());
  const { jobId, chunk } = ctx.params;
  await giveUpChunk(store, jobId, chunk, reason, pushSettings(ctx.config).lookupBatch);
  await publishProgress(store, ctx.publish.bind(ctx), jobId, true);
}
