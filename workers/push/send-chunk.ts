/**
 * One send task: a chunk of one message's targets. Resolve the targets to active tokens (batched lookups),
 * work out what an earlier run left (chunk-state.ts), then send in windows — each window's pushes recorded in one
 * write-ahead intent before they go out — and write every outcome through the shared log bucket.
 */
import { setMaxListeners } from 'node:events';
import { FcmCredentialsError, MessageTemplate, senderAdvice, type Reservation } from '../../plugins/fcm';
import type { RunLogger } from '../../app';
import { planResume, resolvePushes, type Push } from './chunk-state';
import { completeIfDone, emptyCounts, recordJobError } from './jobs.repository';
import { toFcmMessage } from './message';
import { finalLog, logDoc, retryingLog, type LogRef } from './outcome-log';
import type { PushPipeline } from './pipeline';
import type { PushSettings } from './settings';
import type { ChunkDoc, LogDoc, PushCounts } from './store';

export interface ChunkContext {
  pipeline: PushPipeline;
  settings: PushSettings;
  signal: AbortSignal;
  log: RunLogger;
}

export interface ChunkResult {
  counts: PushCounts;
  /** The job was closed by this chunk. */
  completed: boolean;
  /** Why the job failed, when it did. */
  jobFailed?: string;
  skipped?: boolean;
  /** A newer run of the chunk had taken it over when this one finished: nothing of this run was recorded. */
  superseded?: boolean;
}

/** Stops the pushes of a job that failed (credentials, sender refused) before they go out. */
class JobFailedStop extends Error {}

/** Takes the chunk (a run number per start); null when it is done already. */
async function claim(cx: ChunkContext, jobId: string, n: number): Promise<ChunkDoc | null> {
  return cx.pipeline.store.chunks.findOneAndUpdate({ _id: `${jobId}:${n}`, state: { $ne: 'done' } }, { $inc: { attempts: 1 }, $set: { state: 'running' } }, { returnDocument: 'after' });
}

export async function sendChunk(cx: ChunkContext, jobId: string, n: number): Promise<ChunkResult> {
  const { store } = cx.pipeline;
  const chunk = await claim(cx, jobId, n);
  const job = await store.jobs.findOne({ _id: jobId }, { projection: { status: 1, error: 1, dryRun: 1 } });
  const messages = await cx.pipeline.jobMessages(jobId);
  if (!chunk || !job || !messages) return { counts: emptyCounts(), completed: false, skipped: true };
  const message = messages[chunk.msg];
  const { pushes, noToken } = await resolvePushes(chunk, { tokensOf: (ids) => cx.pipeline.lookups.addMany(ids), inactive: (tokens) => cx.pipeline.tokenChecks.addMany(tokens) });
  const [logs, intents] = chunk.attempts > 1
    ? await Promise.all([store.logs.find({ jobId, chunk: n }, { projection: { status: 1, seq: 1, deactivated: 1 } }).toArray(), store.intents.find({ jobId, chunk: n }).toArray()])
    : [[], []];
  const plan = planResume(pushes, logs, intents);
  await store.chunks.updateOne({ _id: chunk._id }, { $set: { pushes: pushes.length } });
  const run = new ChunkRun(cx, { jobId, chunk: n, msg: chunk.msg }, job.dryRun, chunk.attempts, new MessageTemplate(toFcmMessage(message, '', jobId), job.dryRun));
  if (job.error) run.failJobLocally(job.error);
  run.counts.noToken = noToken;
  for (const s of plan.settled.values()) run.counts[s === 'sent' ? 'sent' : 'failed']++;
  run.counts.deactivated += plan.deactivated;
  await Promise.all(plan.inDoubt.map((p) => run.settle(p, logDoc(run.ref, p, 0, { status: 'failed', attempts: 1, errorCode: 'UNCONFIRMED', error: 'the worker sending this push stopped before FCM answered; not sent again (at most once per job)' }), p.hasLog, false)));
  await run.sendAll(plan.toSend);
  const counts = run.counts;
  // Fenced by the run number: a run that lost its task's lock (it stopped sending at its next window, or finishes
  // after a newer run took the chunk over) neither overwrites the newer run's counts nor deletes its write-ahead
  // intents (at most once needs them).
  const finished = run.superseded ? null : await store.chunks.updateOne({ _id: chunk._id, attempts: chunk.attempts }, { $set: { state: 'done', counts } });
  if (!finished || finished.matchedCount === 0) {
    cx.log.warn(`push chunk ${chunk._id}: a newer run took this chunk over; this run records no counts`, { jobId, chunk: n });
    return { counts, completed: false, superseded: true };
  }
  await store.intents.deleteMany({ jobId, chunk: n });
  const completed = await completeIfDone(store, jobId);
  return { counts, completed, ...(run.jobFailure ? { jobFailed: run.jobFailure } : {}) };
}

class ChunkRun {
  readonly counts = emptyCounts();
  private seq: number;
  jobFailure: string | undefined;
  private readonly aborted: Error[] = [];

  /** The task's signal, re-emitted on one of ours: hundreds of pushes wait on it at once. */
  private readonly signal: AbortSignal;

  /** A newer run took the chunk over (this one lost its task's lock): no further window goes out. */
  superseded = false;

  constructor(private readonly cx: ChunkContext, readonly ref: LogRef, private readonly dryRun: boolean, private readonly run: number, private readonly message: MessageTemplate) {
    this.seq = run * 1_000_000;
    const ac = new AbortController();
    setMaxListeners(0, ac.signal);
    if (cx.signal.aborted) ac.abort(cx.signal.reason);
    else cx.signal.addEventListener('abort', () => ac.abort(cx.signal.reason), { once: true });
    this.signal = ac.signal;
  }

  failJobLocally(reason: string): void {
    this.jobFailure ??= reason;
    this.cx.pipeline.failedJobs.set(this.ref.jobId, reason);
  }

  private async failJob(reason: string): Promise<void> {
    if (!this.jobFailure) this.cx.log.error(`push job ${this.ref.jobId} failed: ${reason}`);
    this.failJobLocally(reason);
    await recordJobError(this.cx.pipeline.store, this.ref.jobId, reason);
  }

  private failedReason(): string | undefined {
    return this.jobFailure ?? this.cx.pipeline.failedJobs.get(this.ref.jobId);
  }

  /** Records a push's final log (and deactivates its token); counts it. */
  async settle(p: Push, doc: LogDoc, hasLog: boolean, deactivate: boolean): Promise<void> {
    await this.cx.pipeline.logs.add({ doc, replace: hasLog });
    if (deactivate) await this.cx.pipeline.deactivations.add({ token: p.token, reason: doc.errorCode ?? 'UNREGISTERED' });
    if (doc.status === 'retrying') this.counts.retrying++;
    else this.counts[doc.status]++;
    if (doc.deactivated) this.counts.deactivated++;
  }

  /**
   * Sends in windows of PUSH_WINDOW_SIZE, each recorded in one write-ahead intent before it goes out. A window
   * takes its quota and in-flight slots once its intent is written, and as it goes out the next window's intent is
   * written: no slot sits idle during a MongoDB write, a slot is held only from the moment its request can go out
   * until the answer is in. The price is at most one window per task recorded ahead of its slots (in doubt after a
   * SIGKILL, see docs/push.md). A recorded window that cannot go out (abort, error) is logged "retrying" under its intent, so
   * the next run sends it. Throws the abort reason after recording what was interrupted.
   */
  async sendAll(pushes: Array<Push & { hasLog: boolean }>): Promise<void> {
    const { windowSize } = this.cx.settings;
    const windows: Array<Array<Push & { hasLog: boolean }>> = [];
    for (let i = 0; i < pushes.length; i += windowSize) windows.push(pushes.slice(i, i + windowSize));
    const sends: Promise<void>[] = [];
    let failure: { error: unknown } | undefined;
    let next = windows.length > 0 && !this.signal.aborted ? this.record(windows[0]) : null;
    for (let w = 0; next; w++) {
      const recorded = await next;
      next = null;
      if ('error' in recorded) {
        failure = recorded;
        break;
      }
      if ('superseded' in recorded) {
        // The newer run sends this window and the rest (it reads this run's intents: what it finds is in doubt).
        this.superseded = true;
        break;
      }
      const window = windows[w];
      const reserved = await this.cx.pipeline.sender.reserve(window.length, this.signal).catch((error: unknown) => {
        if (!this.signal.aborted) failure = { error };
        return null;
      });
      if (!reserved) {
        sends.push(...window.map((p) => this.unsent(p, recorded.seq)));
        break;
      }
      // Only now, with this window about to go out, is the next one recorded: one window per task ahead.
      if (w + 1 < windows.length && !this.signal.aborted) next = this.record(windows[w + 1]);
      sends.push(...window.map((p) => this.sendOne(p, recorded.seq, reserved)));
      reserved.cancel();
    }
    const results = await Promise.allSettled(sends);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.error;
    if (failed) throw failed.reason;
    if (this.aborted.length || this.signal.aborted) throw this.aborted[0] ?? this.signal.reason;
  }

  /**
   * Writes a window's intent, then checks that no newer run took the chunk over. The order makes a window go out
   * at most once when two runs overlap: a newer run claims the chunk before it reads the intents, so either this
   * check sees its claim, or that run reads this intent and treats the window as in doubt. A failure is returned,
   * not thrown, since the caller awaits it a window later.
   */
  private record(window: ReadonlyArray<Push>): Promise<{ seq: number } | { superseded: true } | { error: unknown }> {
    return this.intent(window.map((p) => p.key))
      .then(async (seq) => ((await this.cx.pipeline.owners.add({ chunkId: `${this.ref.jobId}:${this.ref.chunk}`, run: this.run })) ? { seq } : { superseded: true as const }))
      .catch((error: unknown) => ({ error }));
  }

  /** A push recorded in an intent that will not go out in this run: "retry later" under that intent. */
  private unsent(p: Push & { hasLog: boolean }, seq: number): Promise<void> {
    return this.settle(p, retryingLog(this.ref, p, seq, null, 0), p.hasLog, false);
  }

  private async intent(keys: string[]): Promise<number> {
    const seq = ++this.seq;
    await this.cx.pipeline.intents.add({ _id: `${this.ref.jobId}:${this.ref.chunk}:${seq}`, jobId: this.ref.jobId, chunk: this.ref.chunk, seq, keys });
    return seq;
  }

  private async sendOne(p: Push & { hasLog: boolean }, firstSeq: number, reserved: Reservation): Promise<void> {
    let seq = firstSeq;
    let hasLog = p.hasLog;
    let attempts = 0;
    const stopped = this.failedReason();
    if (stopped) return this.settle(p, logDoc(this.ref, p, seq, { status: 'failed', attempts: 0, errorCode: 'JOB_FAILED', error: `not sent: ${stopped}` }), hasLog, false);
    try {
      const o = await this.cx.pipeline.sender.send(this.message.body(p.token), {
        reserved, signal: this.signal,
        onRetry: async (outcome, attempt) => {
          attempts = attempt;
          await this.cx.pipeline.logs.add({ doc: retryingLog(this.ref, p, seq, outcome, attempt), replace: hasLog });
          hasLog = true;
        },
        beforeResend: async () => {
          if (this.failedReason()) throw new JobFailedStop();
          seq = await this.intent([p.key]);
        },
      });
      const { doc, deactivate } = finalLog(this.ref, p, seq, o, this.cx.pipeline.client.projectId, this.dryRun);
      if (o.kind === 'sender' || o.kind === 'reauth') await this.failJob(senderAdvice(o, this.cx.pipeline.client.projectId));
      return await this.settle(p, doc, hasLog, deactivate);
    } catch (err) {
      if (err instanceof FcmCredentialsError) {
        await this.failJob(err.message);
        return this.settle(p, logDoc(this.ref, p, seq, { status: 'failed', attempts, errorCode: 'CREDENTIALS', error: err.message }), hasLog, false);
      }
      if (err instanceof JobFailedStop) return this.settle(p, logDoc(this.ref, p, seq, { status: 'failed', attempts, errorCode: 'JOB_FAILED', error: `not sent again: ${this.failedReason()}` }), hasLog, false);
      if (!this.signal.aborted) throw err;
      // Stopped before this attempt went out: "retry later", so the next run sends it.
      this.aborted.push(err as Error);
      return this.settle(p, retryingLog(this.ref, p, seq, null, attempts), hasLog, false);
    }
  }
}
