/**
 * Runs the jobs of every schedule worker in this process: execution rows through their whole life, attempts,
 * timeouts, cancellation, overlap, progress, chaining and graceful shutdown.
 */
import type { Job } from 'bull';
import type winston from 'winston';
import type { Redis } from 'ioredis';
import type { Db } from 'mongodb';
import type { ScheduleDefinition, WorkerRegistry } from '../registry/worker-registry';
import type { ScheduleWorker } from '../structures/schedule-worker';
import type { ConfigReader } from '../structures/context';
import { JobCancelledError, JobTimeoutError } from '../structures/errors';
import type { ConfigChain } from './config-chain';
import { positiveSetting, type Dispatcher, type JobData } from './dispatcher';
import type { EventBus } from './events';
import type { ExecutionRecorder, ExecutionSnapshot, ExecutionStatus } from './execution-recorder';
import { classifyFailure, errorText, ShutdownInterruption } from './failure';
import { assertParams } from './params';
import type { LiveRuns, RunLease } from './live-runs';
import { ExecutionLogger } from './run-logger';
import { databaseReader, JobContext, RunAbort, runLinks } from './run-context';
import type { StateMirror } from './state-mirror';
import type { TaskQueues } from './task-queues';
import type { RedisKeys } from './redis';
import { fireTimeOf, type CronFires } from './cron-fires';
import { isoTime, timeOfIso } from './clock';
import { Deadlines, type Deadline } from './deadlines';

export interface JobRunnerDeps {
  registry: WorkerRegistry;
  queues: TaskQueues;
  recorder: ExecutionRecorder;
  mirror: StateMirror;
  events: EventBus;
  live: LiveRuns;
  config: ConfigChain;
  dispatcher: Dispatcher;
  logger: winston.Logger;
  redis: Redis;
  mongo: () => Promise<Db>;
  lockDurationMs: number;
  keys: RedisKeys;
  fires: CronFires;
}

interface ActiveRun {
  workerId: string;
  fence: number;
  abort: RunAbort;
  done: Promise<unknown>;
}

export class JobRunner {
  private readonly instances = new Map<string, ScheduleWorker>();
  private readonly active = new Map<string, ActiveRun>();
  private stopping = false;
  private renewTimer: NodeJS.Timeout | null = null;
  private readonly readers = new Map<string, ConfigReader>();
  private readonly deadlines = new Deadlines((err) => this.deps.logger.error(`a run timeout failed: ${errorText(err)}`, { stored: false }));

  constructor(private readonly deps: JobRunnerDeps) {}

  /** Starts consuming the queue of every schedule worker. */
  start(): void {
    for (const def of this.deps.registry.schedules) {
      const queue = this.deps.queues.get(def.id);
      queue.on('failed', (job: Job<JobData>, err: Error) => this.onBullFailed(def, job, err));
      queue.on('error', (err: Error) => this.deps.logger.warn(`queue ${def.id}: ${err.message}`, { workerId: def.id, stored: false }));
      queue.on('lock-extension-failed', (job: Job<JobData>, err: Error) =>
        this.deps.logger.warn(`lost the lock of a running job; its result will not be recorded over the new owner's`, { workerId: def.id, executionId: job.data?.executionId, error: err.message }));
      this.background(def.id, 'stopped consuming its queue', queue.process(this.concurrencyOf(def), (job: Job<JobData>) => this.process(def, job)));
    }
    // One timer renews the running-set leases of every run in this process.
    this.renewTimer = setInterval(() => this.renewLeases(), Math.max(1_000, Math.floor(this.deps.lockDurationMs / 2)));
    this.renewTimer.unref();
  }

  /** Work nobody waits for (Bull's process loop, bookkeeping after a stall): a failure is logged with the worker id. */
  private background(workerId: string, what: string, work: Promise<unknown>): void {
    work.catch((err: unknown) => this.deps.logger.error(`worker ${workerId}: ${what}: ${errorText(err)}`, { workerId }));
  }

  private renewLeases(): void {
    const byWorker = new Map<string, RunLease[]>();
    for (const [executionId, run] of this.active) {
      const lease = { executionId, fence: run.fence };
      const runs = byWorker.get(run.workerId);
      if (runs) runs.push(lease);
      else byWorker.set(run.workerId, [lease]);
    }
    this.deps.live.renew(byWorker);
  }

  /** The decorator's number, or the value of the setting it names (must be a positive integer). */
  private concurrencyOf(def: ScheduleDefinition): number {
    if (!def.concurrencySetting) return def.concurrency;
    const value = Number(this.deps.config.get(def.concurrencySetting, def.id));
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`Worker "${def.id}": setting ${def.concurrencySetting} (its concurrency) must be a positive integer, got ${JSON.stringify(this.deps.config.get(def.concurrencySetting, def.id))}`);
    }
    return value;
  }

  get activeCount(): number {
    return this.active.size;
  }

  /** Aborts a running execution in this process (API stop). Returns whether it ran here. */
  cancel(executionId: string, reason = 'stopped by request'): boolean {
    const run = this.active.get(executionId);
    if (!run) return false;
    run.abort.abort(new JobCancelledError(reason));
    return true;
  }

  /** Stops taking jobs, waits up to `graceMs` for running ones, then interrupts the rest (they are re-run elsewhere). */
  async stop(graceMs: number): Promise<{ finished: number; interrupted: number }> {
    this.stopping = true;
    await Promise.all(this.deps.queues.all().map((q) => q.pause(true, true).catch((err: unknown) =>
      this.deps.logger.warn(`worker ${q.name}: could not pause its queue for shutdown: ${errorText(err)}`, { workerId: q.name, stored: false }))));
    const pending = [...this.active.values()];
    const all = Promise.allSettled(pending.map((r) => r.done));
    const timedOut = await Promise.race([all.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref())]);
    const left = [...this.active.values()];
    for (const run of left) run.abort.abort(new ShutdownInterruption('worker shutting down'));
    if (left.length) await Promise.race([Promise.allSettled(left.map((r) => r.done)), new Promise((r) => setTimeout(r, 1_000).unref())]);
    if (this.renewTimer) clearInterval(this.renewTimer);
    await this.deps.queues.close(timedOut);
    await this.deps.live.flushNow().catch((err: unknown) =>
      this.deps.logger.warn(`shutdown: the last live-state changes could not be written (Redis): ${errorText(err)}`, { stored: false }));
    return { finished: pending.length - left.length, interrupted: left.length };
  }

  private instance(def: ScheduleDefinition): ScheduleWorker {
    let inst = this.instances.get(def.id);
    if (!inst) {
      const Cls = def.cls as new () => ScheduleWorker;
      this.instances.set(def.id, (inst = new Cls()));
    }
    return inst;
  }

  /** Bull's processor. Not async: a run that needs no waiting settles without extra microtask hops. */
  private process(def: ScheduleDefinition, job: Job<JobData>): Promise<unknown> {
    try {
      const data = job.data;
      const now = Date.now();
      const snapshot: ExecutionSnapshot = {
        id: data.executionId, workerId: def.id, trigger: data.trigger, params: data.params, status: 'running',
        attempt: job.attemptsMade + 1, progress: null, result: null, error: null, jobId: String(job.id),
        parentExecutionId: data.parentExecutionId ?? null, triggeredBy: data.triggeredBy ?? null, fence: job.processedOn ?? now,
        queuedAt: new Date(timeOfIso(data.queuedAt)), startedAt: new Date(now), finishedAt: null, durationMs: null,
      };
      // A cron fire may wait (its claim, the overlap policy); a run of any other trigger starts at once.
      if (snapshot.trigger === 'cron') return this.processFire(def, job, snapshot);
      this.announceStart(def, snapshot);
      return this.run(def, job, snapshot);
    } catch (err) {
      // A job that cannot even be read fails like any run (Bull calls the processor outside a promise chain).
      return Promise.reject(err);
    }
  }

  private async processFire(def: ScheduleDefinition, job: Job<JobData>, snap: ExecutionSnapshot): Promise<unknown> {
    if (!(await this.claimFire(def, job, snap))) return { skipped: true, duplicate: true };
    if (!(await this.beginFire(def, snap))) return { skipped: true };
    return this.run(def, job, snap);
  }

  private run(def: ScheduleDefinition, job: Job<JobData>, snap: ExecutionSnapshot): Promise<unknown> {
    const abort = new RunAbort();
    const done = this.execute(def, job, snap, abort);
    const id = snap.id;
    this.active.set(id, { workerId: def.id, fence: snap.fence, abort, done });
    return done.finally(() => this.active.delete(id));
  }

  /**
   * A cron fire runs once even when it was enqueued again after Bull trimmed its job: the first run claims
   * (worker, fire time) in MySQL; a later enqueue of the fire is dropped without touching its execution row (same
   * deterministic id). When MySQL cannot be asked, the run goes ahead (Bull's job id still dedupes) with a warning.
   */
  private async claimFire(def: ScheduleDefinition, job: Job<JobData>, snap: ExecutionSnapshot): Promise<boolean> {
    const fireAt = fireTimeOf(def.id, job.id);
    if (!fireAt) return true;
    try {
      if (await this.deps.fires.claim({ workerId: def.id, fireAt, executionId: snap.id, jobCreatedAt: job.timestamp })) return true;
    } catch (err) {
      this.deps.logger.warn(`could not claim the cron fire ${fireAt.toISOString()} in MySQL; running it anyway: ${errorText(err)}`, { workerId: def.id, executionId: snap.id, stored: false });
      return true;
    }
    this.deps.logger.info(`cron fire ${fireAt.toISOString()} already ran (execution ${snap.id}); dropped its repeated enqueue`, { workerId: def.id, executionId: snap.id });
    return false;
  }

  /**
   * Joins the running set and marks the run started, in the next live-state write: nothing to decide, so nothing
   * to wait for (LiveRuns sends changes in the order they were made, so the finish still lands after this start).
   */
  private announceStart(def: ScheduleDefinition, snap: ExecutionSnapshot): void {
    this.deps.live.start(def.id, snap.id, snap.fence, this.startFields(snap), this.startEvents(def, snap));
  }

  /** The live fields of a start; state and execution_id are set by the live-state script when it accepts it. */
  private startFields(snap: ExecutionSnapshot): Record<string, string> {
    return { last_execution_id: snap.id, last_started_at: isoTime(snap.startedAt!.getTime()), progress: '' };
  }

  private startEvents(def: ScheduleDefinition, snap: ExecutionSnapshot): Array<[string, Record<string, unknown>]> {
    return [['execution.started', { workerId: def.id, executionId: snap.id, attempt: snap.attempt, trigger: snap.trigger }]];
  }

  /**
   * A cron fire honours the overlap policy: 'skip' records the fire as skipped, 'queue' waits for the previous run
   * (one Redis round trip per check); a disabled worker's fires are skipped.
   */
  private async beginFire(def: ScheduleDefinition, snap: ExecutionSnapshot): Promise<boolean> {
    if ((await this.deps.redis.hget(this.deps.keys.state(def.id), 'enabled')) === 'false') return !this.recordSkip(def, snap, 'worker is disabled');
    if (def.overlap === 'allow') {
      this.announceStart(def, snap);
      return true;
    }
    while (!(await this.deps.live.startAlone(def.id, snap.id, snap.fence, this.startFields(snap), this.startEvents(def, snap)))) {
      if (def.overlap === 'skip') return !this.recordSkip(def, snap, 'previous run still running');
      if (this.stopping) throw new ShutdownInterruption('worker shutting down');
      await new Promise((r) => setTimeout(r, this.deps.config.get<number>('OVERLAP_POLL_MS')));
    }
    snap.startedAt = new Date();
    return true;
  }

  private recordSkip(def: ScheduleDefinition, snapshot: ExecutionSnapshot, reason: string): true {
    const now = new Date();
    Object.assign(snapshot, { status: 'skipped', error: reason, finishedAt: now, durationMs: 0 });
    if (def.history === 'all') this.deps.recorder.execution(snapshot);
    this.deps.events.publish('execution.finished', { workerId: def.id, executionId: snapshot.id, status: 'skipped', durationMs: 0, error: reason });
    return true;
  }

  /**
   * Runs the job. A run that returns without a promise is settled at once, without a microtask hop; one that
   * returns a promise is raced against its abort (timeout, stop, shutdown).
   */
  private execute(def: ScheduleDefinition, job: Job<JobData>, snap: ExecutionSnapshot, abort: RunAbort): Promise<unknown> {
    const ctx = new JobContext(this.deps, def, snap, this.configOf(def.id), abort, job.opts.attempts ?? def.attempts);
    this.markStarted(def, snap);
    let deadline: Deadline | undefined;
    try {
      const timeoutMs = positiveSetting(def, 'timeoutMs', def.timeoutSetting, def.timeoutMs, (key, id) => this.deps.config.get(key, id));
      deadline = this.deadlines.add(timeoutMs, () => abort.abort(new JobTimeoutError(`timed out after ${timeoutMs} ms`)));
      assertParams(def.params, snap.params);
      const out: unknown = this.instance(def).run(ctx);
      if (isThenable(out)) return this.settle(def, job, snap, ctx, abort, out, deadline);
      deadline.cancel();
      return Promise.resolve(this.succeeded(def, snap, ctx, out));
    } catch (err) {
      deadline?.cancel();
      return this.handleError(def, job, snap, ctx, err, abort);
    }
  }

  private async settle(def: ScheduleDefinition, job: Job<JobData>, snap: ExecutionSnapshot, ctx: JobContext, abort: RunAbort, out: PromiseLike<unknown>, deadline: Deadline): Promise<unknown> {
    try {
      return this.succeeded(def, snap, ctx, await abort.race(Promise.resolve(out)));
    } catch (err) {
      return this.handleError(def, job, snap, ctx, err, abort);
    } finally {
      deadline.cancel();
    }
  }

  /** One redaction and cap for every copy of the result: execution row, live state, worker status, Bull's returnvalue. */
  private succeeded(def: ScheduleDefinition, snap: ExecutionSnapshot, ctx: JobContext, result: unknown): unknown {
    const safe = this.deps.recorder.redactor.sanitize(result);
    this.markFinished(def, snap, 'succeeded', safe.value, null, safe.json);
    ctx.settleLog(false);
    return safe.value;
  }

  private async handleError(def: ScheduleDefinition, job: Job<JobData>, snap: ExecutionSnapshot, ctx: JobContext, err: unknown, abort: RunAbort): Promise<never> {
    const cause = abort.aborted ? abort.reason : err;
    if (cause instanceof ShutdownInterruption) {
      // Leave the job active without a lock: stall recovery hands it to a live worker (Sidekiq-style requeue).
      this.deps.recorder.settled(snap.id);
      snap.status = 'queued';
      snap.error = 'interrupted by shutdown; will be re-run';
      if (def.history === 'all') this.deps.recorder.execution(snap);
      ctx.settleLog(true);
      return new Promise<never>(() => undefined);
    }
    const verdict = classifyFailure(cause, def.nonRetryable);
    const willRetry = verdict.retryable && job.attemptsMade + 1 < (job.opts.attempts ?? def.attempts);
    if (!verdict.retryable) void job.discard();
    await this.failed(def, ctx, cause, !willRetry);
    const message = this.deps.recorder.redactor.text(verdict.message);
    const stack = cause instanceof Error && cause.stack ? this.deps.recorder.redactor.text(cause.stack) : undefined;
    ctx.log.error(`run failed: ${message}`, { status: verdict.status, willRetry, ...(stack ? { stack } : {}) });
    if (willRetry) this.markRetrying(def, snap, message);
    else this.markFinished(def, snap, verdict.status, null, message);
    ctx.settleLog(true);
    throw this.storableError(cause, message);
  }

  /** What Bull stores as failedReason and stacktrace: the redacted message, and a stack with known secrets masked. */
  private storableError(cause: unknown, message: string): Error {
    const err = new Error(message);
    err.name = cause instanceof Error ? cause.name : 'Error';
    const stack = cause instanceof Error ? cause.stack : undefined;
    err.stack = stack ? this.deps.recorder.redactor.text(stack) : `${err.name}: ${message}`;
    return err;
  }

  /** The worker's onFailed hook, before the failure is recorded; its own failure is logged against the run. */
  private async failed(def: ScheduleDefinition, ctx: JobContext, cause: unknown, final: boolean): Promise<void> {
    const worker = this.instance(def);
    if (!worker.onFailed) return;
    try {
      await worker.onFailed(ctx, cause, { final });
    } catch (err) {
      ctx.log.error(`onFailed failed: ${errorText(err)}`);
    }
  }

  /** The config reader of a worker (one per worker, shared by its runs). */
  private configOf(workerId: string): ConfigReader {
    let reader = this.readers.get(workerId);
    if (!reader) this.readers.set(workerId, (reader = this.deps.config.forWorker(workerId)));
    return reader;
  }

  private markStarted(def: ScheduleDefinition, snap: ExecutionSnapshot): void {
    this.deps.recorder.started(snap, def.history === 'all');
  }

  private markRetrying(def: ScheduleDefinition, snap: ExecutionSnapshot, message: string): void {
    this.deps.recorder.settled(snap.id);
    Object.assign(snap, { status: 'queued', error: message });
    if (def.history === 'all') this.deps.recorder.execution(snap);
    this.afterRun(def, snap, 'retrying', message);
  }

  /**
   * Records the final state through the batched path. If the process dies before that row is written, Bull still
   * holds the outcome and the Reconciler settles the row from it.
   */
  private markFinished(def: ScheduleDefinition, snap: ExecutionSnapshot, status: ExecutionStatus, result: unknown, error: string | null, resultJson: string | null = null): void {
    this.deps.recorder.settled(snap.id);
    const finishedAt = new Date();
    Object.assign(snap, { status, result: result ?? null, error, finishedAt, durationMs: finishedAt.getTime() - snap.startedAt!.getTime() });
    if (def.history === 'all' || status !== 'succeeded') this.deps.recorder.execution(snap);
    this.afterRun(def, snap, status, error, resultJson);
  }

  /**
   * Leaves the running set and updates the live state (final outcomes announce the end); the durable worker status
   * follows once the live state is applied (LiveRuns reports it once per worker and batch).
   */
  private afterRun(def: ScheduleDefinition, snap: ExecutionSnapshot, outcome: string, error: string | null, resultJson: string | null = null): void {
    const succeeded = outcome === 'succeeded';
    const fields: Record<string, string | number> = { last_execution_id: snap.id, last_status: outcome };
    if (snap.finishedAt) fields.last_finished_at = isoTime(snap.finishedAt.getTime());
    // snap.result is already redacted and capped (execute); resultJson is its JSON text.
    if (succeeded) fields.last_result = resultJson ?? 'null';
    if (error) fields.last_error = error;
    const events: Array<[string, Record<string, unknown>]> = outcome === 'retrying' ? [] : [['execution.finished', { workerId: def.id, executionId: snap.id, status: outcome, durationMs: snap.durationMs, error }]];
    // The end of a cron fire under an overlap policy is sent at once: the next fire's check may be waiting for it.
    const urgent = snap.trigger === 'cron' && def.overlap !== 'allow';
    const status = { workerId: def.id, lastExecutionId: snap.id, lastStartedAt: snap.startedAt, lastFinishedAt: snap.finishedAt, lastResult: succeeded ? snap.result ?? null : null, lastError: error };
    this.deps.live.finish(def.id, snap.id, snap.fence, succeeded, fields, events, status, urgent);
  }

  /** Bull fails a job that stalled too often without calling the processor: record that end here. */
  private onBullFailed(def: ScheduleDefinition, job: Job<JobData> | undefined, err: Error): void {
    if (!job?.data?.executionId || !/stalled more than allowable limit/.test(err.message)) return;
    const now = new Date();
    const snap: ExecutionSnapshot = {
      id: job.data.executionId, workerId: def.id, trigger: job.data.trigger, params: job.data.params, status: 'failed',
      attempt: job.attemptsMade + 1, progress: null, result: null, error: `job stalled more than allowable limit (worker crashed or blocked)`,
      jobId: String(job.id), parentExecutionId: job.data.parentExecutionId ?? null, triggeredBy: job.data.triggeredBy ?? null, fence: Date.now(),
      queuedAt: new Date(job.data.queuedAt), startedAt: job.processedOn ? new Date(job.processedOn) : null, finishedAt: now,
      durationMs: job.processedOn ? now.getTime() - job.processedOn : null,
    };
    this.deps.recorder.execution(snap);
    this.afterRun(def, snap, 'failed', snap.error);
    this.background(def.id, `onAbandoned of execution ${snap.id} failed`, this.abandoned(def, snap));
  }

  /** Lets the worker settle its own bookkeeping for a job that ended without run() seeing it end. */
  private async abandoned(def: ScheduleDefinition, snap: ExecutionSnapshot): Promise<void> {
    const worker = this.instance(def);
    if (!worker.onAbandoned) return;
    const log = new ExecutionLogger(this.deps.logger, { executionId: snap.id, workerId: def.id, attempt: snap.attempt }, false);
    try {
      await worker.onAbandoned({
        executionId: snap.id, workerId: def.id, params: snap.params as Record<string, unknown>, error: snap.error ?? 'abandoned',
        config: this.configOf(def.id), log, redis: this.deps.redis, mongo: this.deps.mongo,
        database: databaseReader(this.deps.registry),
        ...runLinks(this.deps, def.id, snap.id),
      });
    } catch (err) {
      log.error(`onAbandoned failed: ${errorText(err)}`);
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as PromiseLike<unknown>).then === 'function';
}
