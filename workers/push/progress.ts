/** `push.progress` events: a job's counts, at most every PROGRESS_EVERY_MS per job and process, and at its end. */
import { jobCounts } from './jobs.repository';
import type { JobStatus, PushStore } from './store';

const PROGRESS_EVERY_MS = 500;
const lastSent = new Map<string, number>();

export type Publish = (type: `${string}.${string}`, data: Record<string, unknown>) => void;

export async function publishProgress(store: PushStore, publish: Publish, jobId: string, force: boolean): Promise<void> {
  const now = Date.now();
  if (!force && now - (lastSent.get(jobId) ?? 0) < PROGRESS_EVERY_MS) return;
  lastSent.set(jobId, now);
  const job = await store.jobs.findOne({ _id: jobId }, { projection: { status: 1, error: 1 } });
  const { chunks, chunksDone, ...counts } = await jobCounts(store, jobId);
  const status: JobStatus | undefined = job?.status;
  if (status === 'completed' || status === 'failed') lastSent.delete(jobId);
  publish('push.progress', { jobId, status, chunks, chunksDone, counts, ...(job?.error ? { error: job.error } : {}) });
}
