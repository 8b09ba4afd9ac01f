/** Push jobs and their chunks: creation, expansion into send tasks, counts and completion. */
import { randomUUID } from 'node:crypto';
import { planResume, resolvePushes, type TokenLookups } from './chunk-state';
import type { PushMessageInput } from './message';
import { logDoc } from './outcome-log';
import { activeTokensOf, inactiveTokens } from './tokens.repository';
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
 * Closes a chunk its send task gave up on (retries spent, or abandoned by the queue after its workers crashed or
 * blocked repeatedly), so every one of its pushes ends with a log and the job's counts stay exact:
 * - pushes waiting for a retry, and pushes that never went out, end `failed` `CHUNK_FAILED`;
 * - pushes that were on the wire when the last owner died (newest intent newer than newest log) end `failed`
 *   `UNCONFIRMED` (FCM may have delivered them; not sent again);
 * - pushes with an outcome keep it.
 * The job records why and closes as failed once its chunks are done. A chunk already done is left alone.
 */
export async function giveUpChunk(store: PushStore, jobId: string, n: number, reason: string, lookupBatch = 100): Promise<void> {
  const chunk = await store.chunks.findOne({ _id: `${jobId}:${n}`, state: { $ne: 'done' } });
  if (!chunk) return;
  const error = `send task of chunk ${n} gave up: ${reason}`;
  await store.logs.updateMany({ jobId, chunk: n, status: 'retrying' }, { $set: { status: 'failed', errorCode: 'CHUNK_FAILED', error, at: new Date() } });
  // The chunk's pushes as a send would resolve them now, plus any the intents name that are not among them.
  const { pushes, noToken } = await resolvePushes(chunk, batchedLookups(store, lookupBatch));
  const [logs, intents] = await Promise.all([
    store.logs.find({ jobId, chunk: n }, { projection: { status: 1, seq: 1, deactivated: 1 } }).toArray(),
    store.intents.find({ jobId, chunk: n }).toArray(),
  ]);
  const prefix = `${jobId}:${n}:`;
  const known = new Set(pushes.map((p) => p.key));
  for (const i of intents) {
    for (const key of i.keys) {
      if (known.has(key)) continue;
      known.add(key);
      pushes.push({ key, token: key.slice(prefix.length), userId: null });
    }
  }
  const plan = planResume(pushes, logs, intents);
  const ref = { jobId, chunk: n, msg: chunk.msg };
  const missing = [
    ...plan.inDoubt.map((p) => ({ p, doc: logDoc(ref, p, 0, { status: 'failed', attempts: 1, errorCode: 'UNCONFIRMED', error: `${error}; this push was on the wire when its worker stopped, not sent again (at most once per job)` }) })),
    ...plan.toSend.map((p) => ({ p, doc: logDoc(ref, p, 0, { status: 'failed', attempts: 0, errorCode: 'CHUNK_FAILED', error: `not sent: ${error}` }) })),
  ];
  if (missing.length) {
    await store.logs.bulkWrite(missing.map(({ p, doc }) => (p.hasLog
      ? { replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } }
      : { insertOne: { document: doc } })), { ordered: false }).catch((err: { code?: number; writeErrors?: unknown }) => {
      if (!isDuplicateOnly(err)) throw err;
    });
  }
  const groups = await store.logs.aggregate<{ _id: { s: string; d: boolean }; n: number }>([
    { $match: { jobId, chunk: n } },
    { $group: { _id: { s: '$status', d: { $ifNull: ['$deactivated', false] } }, n: { $sum: 1 } } },
  ]).toArray();
  const counts = emptyCounts();
  counts.noToken = noToken;
  let logged = 0;
  for (const g of groups) {
    logged += g.n;
    if (g._id.s === 'sent') counts.sent += g.n;
    else counts.failed += g.n;
    if (g._id.d) counts.deactivated += g.n;
  }
  await store.chunks.updateOne({ _id: chunk._id, state: { $ne: 'done' } }, { $set: { state: 'done', pushes: logged, counts } });
  await store.intents.deleteMany({ jobId, chunk: n });
  await recordJobError(store, jobId, error);
  await completeIfDone(store, jobId);
}

/** Token lookups straight against MongoDB in batches of `size` (for work outside the pipeline's buckets). */
function batchedLookups(store: PushStore, size: number): TokenLookups {
  const batched = <T>(f: (list: string[]) => Promise<T[]>) => async (list: string[]): Promise<T[]> => {
    const out: T[] = [];
    for (let i = 0; i < list.length; i += size) out.push(...(await f(list.slice(i, i + size))));
    return out;
  };
  return { tokensOf: batched((ids) => activeTokensOf(store, ids)), inactive: batched((tokens) => inactiveTokens(store, tokens)) };
}
