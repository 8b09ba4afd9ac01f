import { NonRetryableError, Schedule, ScheduleWorker, type RunContext } from '../../app';
import { FcmCredentialsError } from '../../plugins/fcm';
import { taskPipeline } from './context';
import { expandJob, failJob } from './jobs.repository';
import { JobParams } from './params';
import { publishProgress } from './progress';
import { pushStore } from './store';
import { TASK } from './task-ids';
import './settings';

/**
 * Step 1 of a push job: checks the credentials once (one token request, cached for the process), cuts the
 * targets into chunks of PUSH_CHUNK_SIZE and enqueues one send task per chunk. Running it twice for a job
 * finds the same chunks and enqueues the same task ids.
 */
@Schedule({ id: TASK.job, description: 'Push: splits a send request into send tasks', attempts: 3, backoff: 1_000, params: JobParams, nonRetryable: [NonRetryableError] })
export class PushJobWorker extends ScheduleWorker<JobParams> {
  async run(ctx: RunContext<JobParams>): Promise<{ chunks: number } | { status: string }> {
    const { jobId } = ctx.params;
    const store = await pushStore(await ctx.mongo());
    const job = await store.jobs.findOne({ _id: jobId });
    if (!job) throw new NonRetryableError(`push job ${jobId} does not exist`);
    if (job.status === 'completed' || job.status === 'failed') return { status: job.status };
    try {
      const { settings, pipeline } = await taskPipeline(ctx);
      await pipeline.client.tokens.get();
      const chunks = await expandJob(store, job, settings.chunkSize);
      await ctx.enqueueMany(TASK.send, chunks.map((c) => ({ params: { jobId, chunk: c.n }, jobId: `${TASK.send}:${jobId}:${c.n}` })));
      await publishProgress(store, ctx.publish.bind(ctx), jobId, true);
      return { chunks: chunks.length };
    } catch (err) {
      if (!(err instanceof FcmCredentialsError)) throw err;
      await failJob(store, jobId, err.message);
      await publishProgress(store, ctx.publish.bind(ctx), jobId, true);
      throw new NonRetryableError(err.message);
    }
  }
}
