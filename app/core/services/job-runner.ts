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
import type { Progress, RunContext } from '../structures/context';
import { JobCancelledError, JobTimeoutError } from '../structures/errors';
import { databaseByName } from '../structures/database-base';
import type { ConfigChain } from './config-chain';
import type { Dispatcher, JobData } from './dispatcher';
import type { EventBus } from './events';
import type { ExecutionRecorder, ExecutionSnapshot, ExecutionStatus } from './execution-recorder';
import { classifyFailure, errorText, ShutdownInterruption } from './failure';
import { assertParams } from './params';
import type { RunningSet } from './running-set';
import { ExecutionLogger } from './run-logger';
import type { StateMirror } from './state-mirror';
import type { TaskQueues } from './task-queues';
import type { RedisKeys } from './redis';

export interface JobRunnerDeps {
  registry: WorkerRegistry;
  queues: TaskQueues;
  recorder: ExecutionRecorder;
  mirror: StateMirror;
  events: EventBus;
  running: RunningSet;
  config: ConfigChain;
  dispatcher: Dispatcher;
  logger: winston.Logger;
  redis: Redis;
  mongo: () => Promise<Db>;
  lockDurationMs: number;
  keys: RedisKeys;
}

interface ActiveRun {
  controller: AbortController;
  done: Promise<unknown>;
}

export class JobRunner {
  private readonly instances = new Map<string, ScheduleWorker>();
  private readonly active = new Map<string, ActiveRun>();
  private stopping = false;

  constructor(private readonly deps: JobRunnerDeps) {}

  /** Starts consuming the queue of every schedule worker. */
  start(): void {
    for (const def of this.deps.registry.schedules) {
      const queue = this.deps.queues.get(def.id);
      queue.on('failed', (job: Job<JobData>, err: Error) => this.onBullFailed(def, job, err));
      queue.on('error', (err: Error) => this.deps.logger.warn(`queue ${def.id}: ${err.message}`, { workerId: def.id, stored: false }));
      queue.on('lock-extension-failed', (job: Job<JobData>, err: Error) =>
        this.deps.logger.warn(`lost the lock of a running job; its result will not be recorded over the new owner's`, { workerId: def.id, executionId: job.data?.executionId, error: err.message }));
      void queue.process(def.concurrency, (job: Job<JobData>) => this.process(def, job));
    }
  }

  get activeCount(): number {
    return this.active.size;
  }

  /** Aborts a running execution in this process (API stop). Returns whether it ran here. */
  cancel(executionId: string, reason = 'stopped by request'): boolean {
    const run = this.active.get(executionId);
    if (!run) return false;
    run.controller.abort(new JobCancelledError(reason));
    return true;
  }

  /** Stops taking jobs, waits up to `graceMs` for running ones, then interrupts the rest (they are re-run elsewhere). */
  async stop(graceMs: number): Promise<{ finished: number; interrupted: number }> {
    this.stopping = true;
    await Promise.all(this.deps.queues.all().map((q) => q.pause(true, true).catch(() => undefined)));
    const pending = [...this.active.values()];
    const all = Promise.allSettled(pending.map((r) => r.done));
    const timedOut = await Promise.race([all.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref())]);
    const left = [...this.active.values()];
    for (const run of left) run.controller.abort(new ShutdownInterruption('worker shutting down'));
    if (left.length) await Promise.race([Promise.allSettled(left.map((r) => r.done)), new Promise((r) => setTimeout(r, 1_000).unref())]);
    await this.deps.queues.close(timedOut);
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

  private async process(def: ScheduleDefinition, job: Job<JobData>): Promise<unknown> {
    const data = job.data;
    const snapshot: ExecutionSnapshot = {
      id: data.executionId, workerId: def.id, trigger: data.trigger, params: data.params, status: 'running',
      attempt: job.attemptsMade + 1, progress: null, result: null, error: null, jobId: String(job.id),
      parentExecutionId: data.parentExecutionId ?? null, fence: job.processedOn ?? Date.now(),
      queuedAt: new Date(data.queuedAt), startedAt: new Date(), finishedAt: null, durationMs: null,
    };
    const isFire = data.trigger === 'cron';
    if (isFire && (await this.skipFire(def, snapshot))) return { skipped: true };
    if (!isFire) void this.deps.running.join(def.id, snapshot.id, false).catch(() => undefined);
    const controller = new AbortController();
    const done = this.execute(def, job, snapshot, controller);
    this.active.set(snapshot.id, { controller, done });
    try {
      return await done;
    } finally {
      this.active.delete(snapshot.id);
    }
  }

  /** Overlap policy of cron fires: 'skip' records the fire as skipped, 'queue' waits for the previous run. */
  private async skipFire(def: ScheduleDefinition, snapshot: ExecutionSnapshot): Promise<boolean> {
    const enabled = (await this.deps.mirror.liveState(def.id)).enabled;
    if (enabled === 'false') return this.recordSkip(def, snapshot, 'worker is disabled');
    if (def.overlap === 'allow') {
      void this.deps.running.join(def.id, snapshot.id, false).catch(() => undefined);
      return false;
    }
    const pollMs = this.deps.config.get<number>('OVERLAP_POLL_MS');
    while (!(await this.deps.running.join(def.id, snapshot.id, true))) {
      if (def.overlap === 'skip') return this.recordSkip(def, snapshot, 'previous run still running');
      if (this.stopping) throw new ShutdownInterruption('worker shutting down');
      await new Promise((r) => setTimeout(r, pollMs));
    }
    return false;
  }

  private recordSkip(def: ScheduleDefinition, snapshot: ExecutionSnapshot, reason: string): true {
    const now = new Date();
    Object.assign(snapshot, { status: 'skipped', error: reason, finishedAt: now, durationMs: 0 });
    if (def.history === 'all') this.deps.recorder.execution(snapshot);
    this.deps.events.publish('execution.finished', { workerId: def.id, executionId: snapshot.id, status: 'skipped', durationMs: 0, error: reason });
    return true;
  }

  private async execute(def: ScheduleDefinition, job: Job<JobData>, snap: ExecutionSnapshot, controller: AbortController): Promise<unknown> {
    const log = new ExecutionLogger(this.deps.logger, { executionId: snap.id, workerId: def.id, attempt: snap.attempt }, def.history === 'failures');
    this.markStarted(def, snap);
    const renew = setInterval(() => this.deps.running.renew(def.id, snap.id), Math.max(1_000, Math.floor(this.deps.lockDurationMs / 2)));
    const timer = setTimeout(() => controller.abort(new JobTimeoutError(`timed out after ${def.timeoutMs} ms`)), def.timeoutMs);
    try {
      assertParams(def.params, snap.params);
      const ctx = this.context(def, snap, log, controller.signal);
      const result = await raceAbort(Promise.resolve().then(() => this.instance(def).run(ctx)), controller.signal);
      this.markFinished(def, snap, 'succeeded', result, null);
      log.settle(false);
      return result ?? null;
    } catch (err) {
      return this.handleError(def, job, snap, log, err, controller.signal);
    } finally {
      clearTimeout(timer);
      clearInterval(renew);
    }
  }

  private handleError(def: ScheduleDefinition, job: Job<JobData>, snap: ExecutionSnapshot, log: ExecutionLogger, err: unknown, signal: AbortSignal): Promise<never> {
    const cause = signal.aborted ? signal.reason : err;
    if (cause instanceof ShutdownInterruption) {
      // Leave the job active without a lock: stall recovery hands it to a live worker (Sidekiq-style requeue).
      snap.status = 'queued';
      snap.error = 'interrupted by shutdown; will be re-run';
      if (def.history === 'all') this.deps.recorder.execution(snap);
      log.settle(true);
      return new Promise<never>(() => undefined);
    }
    const verdict = classifyFailure(cause, def.nonRetryable);
    const willRetry = verdict.retryable && job.attemptsMade + 1 < def.attempts;
    if (!verdict.retryable) void job.discard();
    log.error(`run failed: ${verdict.message}`, { status: verdict.status, willRetry });
    if (willRetry) this.markRetrying(def, snap, verdict.message);
    else this.markFinished(def, snap, verdict.status, null, verdict.message);
    log.settle(true);
    throw cause instanceof Error ? cause : new Error(verdict.message);
  }

  private context(def: ScheduleDefinition, snap: ExecutionSnapshot, log: ExecutionLogger, signal: AbortSignal): RunContext {
    const deps = this.deps;
    return {
      executionId: snap.id, workerId: def.id, trigger: snap.trigger, attempt: snap.attempt,
      params: snap.params as Record<string, unknown>, config: deps.config.forWorker(def.id), log, signal, redis: deps.redis,
      progress: async (value: Progress) => {
        snap.progress = value;
        if (def.history === 'all') deps.recorder.execution(snap);
        deps.events.publish('execution.progress', { workerId: def.id, executionId: snap.id, progress: value });
        await deps.mirror.setLiveState(def.id, { progress: JSON.stringify(value) });
      },
      enqueue: (workerId, params = {}, opts = {}) => deps.dispatcher.enqueue(workerId, params, { ...opts, trigger: 'chained', parentExecutionId: snap.id }),
      mongo: deps.mongo,
      database: (name: string) => databaseByName(name, deps.registry.databaseOptions()),
    };
  }

  private markStarted(def: ScheduleDefinition, snap: ExecutionSnapshot): void {
    if (def.history === 'all') this.deps.recorder.execution(snap);
    this.deps.recorder.workerStatus({ workerId: def.id, state: 'running', lastExecutionId: snap.id, lastStartedAt: snap.startedAt, lastFinishedAt: null, lastResult: null, lastError: null, consecutiveFailures: null });
    void this.deps.mirror.setLiveState(def.id, { state: 'running', execution_id: snap.id, last_execution_id: snap.id, last_started_at: snap.startedAt!.toISOString(), progress: '' }).catch(() => undefined);
    this.deps.events.publish('execution.started', { workerId: def.id, executionId: snap.id, attempt: snap.attempt, trigger: snap.trigger });
  }

  private markRetrying(def: ScheduleDefinition, snap: ExecutionSnapshot, message: string): void {
    Object.assign(snap, { status: 'queued', error: message });
    if (def.history === 'all') this.deps.recorder.execution(snap);
    void this.afterRun(def, snap, 'retrying', message);
  }

  private markFinished(def: ScheduleDefinition, snap: ExecutionSnapshot, status: ExecutionStatus, result: unknown, error: string | null): void {
    const finishedAt = new Date();
    Object.assign(snap, { status, result: result ?? null, error, finishedAt, durationMs: finishedAt.getTime() - snap.startedAt!.getTime() });
    if (def.history === 'all' || status !== 'succeeded') this.deps.recorder.execution(snap);
    void this.afterRun(def, snap, status, error);
    this.deps.events.publish('execution.finished', { workerId: def.id, executionId: snap.id, status, durationMs: snap.durationMs, error });
  }

  /** Leaves the running set, then writes the live and durable worker state. */
  private async afterRun(def: ScheduleDefinition, snap: ExecutionSnapshot, outcome: string, error: string | null): Promise<void> {
    try {
      const stillRunning = await this.deps.running.leave(def.id, snap.id);
      const failures = outcome === 'succeeded' ? 0 : await this.deps.redis.hincrby(this.deps.keys.state(def.id), 'consecutive_failures', 1);
      const state = stillRunning > 0 ? 'running' : 'idle';
      const fields: Record<string, string | number> = { state, last_execution_id: snap.id, last_status: outcome, consecutive_failures: failures };
      if (snap.finishedAt) fields.last_finished_at = snap.finishedAt.toISOString();
      if (stillRunning === 0) fields.execution_id = '';
      if (outcome === 'succeeded') fields.last_result = JSON.stringify(snap.result ?? null);
      if (error) fields.last_error = error;
      await this.deps.mirror.setLiveState(def.id, fields);
      this.deps.recorder.workerStatus({ workerId: def.id, state, lastExecutionId: snap.id, lastStartedAt: null, lastFinishedAt: snap.finishedAt, lastResult: outcome === 'succeeded' ? snap.result ?? null : null, lastError: error, consecutiveFailures: failures });
    } catch (err) {
      this.deps.logger.warn(`could not update the live state of ${def.id}: ${errorText(err)}`, { workerId: def.id, stored: false });
    }
  }

  /** Bull fails a job that stalled too often without calling the processor: record that end here. */
  private onBullFailed(def: ScheduleDefinition, job: Job<JobData> | undefined, err: Error): void {
    if (!job?.data?.executionId || !/stalled more than allowable limit/.test(err.message)) return;
    const now = new Date();
    const snap: ExecutionSnapshot = {
      id: job.data.executionId, workerId: def.id, trigger: job.data.trigger, params: job.data.params, status: 'failed',
      attempt: job.attemptsMade + 1, progress: null, result: null, error: `job stalled more than allowable limit (worker crashed or blocked)`,
      jobId: String(job.id), parentExecutionId: job.data.parentExecutionId ?? null, fence: Date.now(),
      queuedAt: new Date(job.data.queuedAt), startedAt: job.processedOn ? new Date(job.processedOn) : null, finishedAt: now,
      durationMs: job.processedOn ? now.getTime() - job.processedOn : null,
    };
    this.deps.recorder.execution(snap);
    void this.afterRun(def, snap, 'failed', snap.error);
    this.deps.events.publish('execution.finished', { workerId: def.id, executionId: snap.id, status: 'failed', durationMs: snap.durationMs, error: snap.error });
  }
}

/** Resolves with the work, or rejects with the signal's reason as soon as it aborts (the work may run on). */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
