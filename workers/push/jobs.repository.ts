/** Push jobs and their chunks: creation, expansion into send tasks, counts and completion. */
import { randomUUID } from 'node:crypto';
import type { PushMessageInput } from './message';
import type { ChunkDoc, JobDoc, JobTargets, PushCounts, PushStore } from './store';

export const emptyCounts = (): PushCounts => ({ queued: 0, sent: 0, failed: 0, deactivated: 0, retrying: 0, noToken: 0 });

export async function createJob(store: PushStore, messages: PushMessageInput[], targetLists: JobTargets[], dryRun: boolean): Promise<JobDoc> {
  const targets = targetLists.reduce((n, t) => n + (t.userIds?.length ?? t.tokens?.length ?? 0), 0);
  const job: JobDoc = { _id: randomUUID(), status: 'queued', dryRun, messages, targetLists, targets, createdAt: new Date(), startedAt: null, finishedAt: null, error: null };
  await store.jobs.insertOne(job);
  return job;
}

/** The chunks of a job: each message's targets cut into slices of `size`, numbered across the job. */
export function chunksOf(job: JobDoc, size: number): ChunkDoc[] {
  const out: ChunkDoc[] = [];
  job.targetLists.forEach((m, msg) => {
    const key = m.userIds ? 'userIds' : 'tokens';
    const list = m.userIds ?? m.tokens ?? [];
    for (let i = 0; i < list.length; i += size) {
      const n = out.length;
      out.push({ _id: `${job._id}:${n}`, jobId: job._id, n, msg, [key]: list.slice(i, i + size), state: 'pending', attempts: 0 });
    }
  });
  return out;
}

/** Writes the chunks (a second expansion of the same job finds them there) and marks the job running. */
export async function expandJob(store: PushStore, job: JobDoc, size: number): Promise<ChunkDoc[]> {
  const chunks = chunksOf(job, size);
  if (chunks.length) {
    await store.chunks.insertMany(chunks, { ordered: false }).catch((err: { code?: number; writeErrors?: unknown }) => {
      if (!isDuplicateOnly(err)) throw err;
    });
  }
  await store.jobs.updateOne({ _id: job._id, status: 'queued' }, { $set: { status: 'running', startedAt: new Date(), chunks: chunks.length } });
  if (!chunks.length) await completeIfDone(store, job._id);
  return chunks;
}

/** An insertMany error made only of duplicate keys (the documents are already there). */
export function isDuplicateOnly(err: { code?: number; writeErrors?: unknown }): boolean {
  const list = Array.isArray(err.writeErrors) ? (err.writeErrors as Array<{ code?: number }>) : err.writeErrors ? [err.writeErrors as { code?: number }] : [];
  return list.length > 0 ? list.every((e) => e.code === 11000) : err.code === 11000;
}

/** Fails a job that has no chunk running (it could not start). */
export async function failJob(store: PushStore, jobId: string, error: string): Promise<void> {
  await store.jobs.updateOne({ _id: jobId, status: { $in: ['queued', 'running'] } }, { $set: { status: 'failed', error, finishedAt: new Date() } });
}

/**
 * Records why a running job fails (the first reason wins); its chunks stop sending and settle what they hold,
 * and the last one to finish closes the job as failed.
 */
export async function recordJobError(store: PushStore, jobId: string, error: string): Promise<void> {
  await store.jobs.updateOne({ _id: jobId, error: null }, { $set: { error } });
}

/** Closes the job when no chunk is left to do (failed when an error was recorded); true when this call closed it. */
export async function completeIfDone(store: PushStore, jobId: string): Promise<boolean> {
  const open = await store.chunks.countDocuments({ jobId, state: { $in: ['pending', 'running'] } });
  if (open > 0) return false;
  const job = await store.jobs.findOne({ _id: jobId }, { projection: { error: 1 } });
  const r = await store.jobs.updateOne({ _id: jobId, status: 'running' }, { $set: { status: job?.error ? 'failed' : 'completed', finishedAt: new Date() } });
  return r.modifiedCount === 1;
}

/** Exact counts: finished chunks from their stored totals, running ones from their logs and resolved pushes. */
export async function jobCounts(store: PushStore, jobId: string): Promise<PushCounts & { chunksDone: number; chunks: number }> {
  const counts = emptyCounts();
  const chunks = await store.chunks.find({ jobId }, { projection: { userIds: 0, tokens: 0 } }).toArray();
  const running: ChunkDoc[] = [];
  let done = 0;
  for (const c of chunks) {
    if (c.state === 'done' && c.counts) {
      done++;
      for (const k of Object.keys(counts) as Array<keyof PushCounts>) counts[k] += c.counts[k];
    } else if (c.pushes !== undefined) running.push(c);
  }
  if (running.length) {
    const groups = await store.logs.aggregate<{ _id: { s: string; d: boolean }; n: number }>([
      { $match: { jobId, chunk: { $in: running.map((c) => c.n) } } },
      { $group: { _id: { s: '$status', d: { $ifNull: ['$deactivated', false] } }, n: { $sum: 1 } } },
    ]).toArray();
    let logged = 0;
    for (const g of groups) {
      logged += g.n;
      if (g._id.s === 'sent') counts.sent += g.n;
      else if (g._id.s === 'retrying') counts.retrying += g.n;
      else if (g._id.s === 'failed') {
        counts.failed += g.n;
        if (g._id.d) counts.deactivated += g.n;
      }
    }
    counts.queued += running.reduce((n, c) => n + (c.pushes ?? 0), 0) - logged;
  }
  return { ...counts, chunksDone: done, chunks: chunks.length };
}

/**
 * Closes a chunk its send task gave up on (retries spent, or abandoned by the queue after crashing repeatedly):
 * its pushes waiting for a retry end failed, the job records why and closes as failed once its chunks are done.
 * A chunk already done is left alone.
 */
export async function giveUpChunk(store: PushStore, jobId: string, n: number, reason: string): Promise<void> {
  const chunk = await store.chunks.findOne({ _id: `${jobId}:${n}`, state: { $ne: 'done' } }, { projection: { pushes: 1 } });
  if (!chunk) return;
  const error = `send task of chunk ${n} gave up: ${reason}`;
  await store.logs.updateMany({ jobId, chunk: n, status: 'retrying' }, { $set: { status: 'failed', errorCode: 'CHUNK_FAILED', error, at: new Date() } });
  const groups = await store.logs.aggregate<{ _id: { s: string; d: boolean }; n: number }>([
    { $match: { jobId, chunk: n } },
    { $group: { _id: { s: '$status', d: { $ifNull: ['$deactivated', false] } }, n: { $sum: 1 } } },
  ]).toArray();
  const counts = emptyCounts();
  for (const g of groups) {
    if (g._id.s === 'sent') counts.sent += g.n;
    else counts.failed += g.n;
    if (g._id.d) counts.deactivated += g.n;
  }
  // Pushes without any log never went out (or are in doubt): they count as failed, not as queued forever.
  counts.failed += Math.max(0, (chunk.pushes ?? 0) - counts.sent - counts.failed);
  await store.chunks.updateOne({ _id: chunk._id, state: { $ne: 'done' } }, { $set: { state: 'done', counts } });
  await recordJobError(store, jobId, error);
  await completeIfDone(store, jobId);
}
