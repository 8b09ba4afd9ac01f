/** Enqueues chunk jobs with the core's enqueueMany (one Bull addBulk) where the context offers it. */
import type { RunContext } from '../../app';
import type { ChunkJob } from './sync.service';

type WithMany = { enqueueMany?: (workerId: string, jobs: readonly ChunkJob[]) => Promise<string[]> };

export async function enqueueChunks(ctx: RunContext<unknown>, workerId: string, jobs: ChunkJob[]): Promise<number> {
  const many = (ctx as unknown as WithMany).enqueueMany;
  if (many) return (await many.call(ctx, workerId, jobs)).length;
  // Until the core's ctx.enqueueMany is on main: one enqueue per job, same ids and delays.
  for (const j of jobs) await ctx.enqueue(workerId, j.params, { jobId: j.jobId, delayMs: j.delayMs });
  return jobs.length;
}
