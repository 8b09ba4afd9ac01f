/**
 * What one run gets: its abort state and its `ctx`. Both are made once per job, so they allocate little: the
 * AbortSignal and the ctx methods are created on first use (most runs never read `ctx.signal` or call
 * `ctx.enqueue`), and the methods still work when taken off `ctx` (`const { enqueue } = ctx`).
 */
import type { Redis } from 'ioredis';
import type winston from 'winston';
import type { Db } from 'mongodb';
import type { ScheduleDefinition, WorkerRegistry } from '../registry/worker-registry';
import type { BulkJobSpec, ConfigReader, EnqueueOptions, Progress, RunContext, Trigger } from '../structures/context';
import { databaseByName } from '../structures/database-base';
import type { Dispatcher } from './dispatcher';
import type { EventBus } from './events';
import { classifyFailure, ShutdownInterruption } from './failure';
import type { ExecutionRecorder, ExecutionSnapshot } from './execution-recorder';
import { ExecutionLogger } from './run-logger';
import type { StateMirror } from './state-mirror';

/** A run's abort state; the run's promise is raced against it without event listeners. */
export class RunAbort {
  aborted = false;
  reason: unknown = undefined;
  private controller: AbortController | null = null;
  private rejectRace: ((reason: unknown) => void) | null = null;

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
    this.rejectRace?.(reason);
  }

  /** Settles with the work, or rejects with the abort reason as soon as the run is aborted (the work may run on). */
  race<T>(work: Promise<T>): Promise<T> {
    if (this.aborted) return Promise.reject(this.reason);
    return new Promise<T>((resolve, reject) => {
      this.rejectRace = reject;
      work.then(resolve, reject);
    });
  }
}

/** The process-wide services a ctx reaches. */
export interface RunServices {
  registry: WorkerRegistry;
  recorder: ExecutionRecorder;
  mirror: StateMirror;
  events: EventBus;
  dispatcher: Dispatcher;
  redis: Redis;
  mongo: () => Promise<Db>;
  logger: winston.Logger;
}

type Enqueue = RunContext['enqueue'];
type EnqueueMany = RunContext['enqueueMany'];
type Publish = RunContext['publish'];
interface Links { enqueue: Enqueue; enqueueMany: EnqueueMany; publish: Publish }

/** ctx.enqueue / ctx.enqueueMany (chained, linked to the execution) and ctx.publish (tagged with it). */
/** `ctx.database(name)`: the Drizzle instance of a declared `@Database` (runs and abandoned-job handlers alike). */
export function databaseReader(registry: WorkerRegistry): RunContext['database'] {
  return (name: string) => databaseByName(name, registry.databaseOptions());
}

export function runLinks(services: RunServices, workerId: string, executionId: string): Links {
  const chained = { trigger: 'chained' as const, parentExecutionId: executionId };
  return {
    enqueue: (target, params = {}, opts: EnqueueOptions = {}) => services.dispatcher.enqueue(target, params, { delayMs: opts.delayMs, jobId: opts.jobId, priority: opts.priority, ...chained }),
    enqueueMany: (target, jobs) => services.dispatcher.enqueueMany(target, jobs as readonly BulkJobSpec<Record<string, unknown>>[], chained),
    publish: (type, data) => services.events.publish(type, { ...data, workerId, executionId }),
  };
}

export class JobContext implements RunContext {
  readonly executionId: string;
  readonly workerId: string;
  readonly trigger: Trigger;
  readonly attempt: number;
  readonly attempts: number;
  readonly params: Record<string, unknown>;
  readonly redis: Redis;
  readonly mongo: () => Promise<Db>;
  private links: Links | null = null;
  private progressFn: RunContext['progress'] | null = null;
  private databaseFn: RunContext['database'] | null = null;
  private willRetryFn: RunContext['willRetry'] | null = null;
  private logger: ExecutionLogger | null = null;

  constructor(
    private readonly services: RunServices,
    private readonly def: ScheduleDefinition,
    private readonly snap: ExecutionSnapshot,
    readonly config: ConfigReader,
    private readonly abort: RunAbort,
    /** Tries of this job (Bull's `attempts` it was enqueued with). @defaultValue the worker's attempts */
    attempts: number = def.attempts,
  ) {
    this.executionId = snap.id;
    this.workerId = def.id;
    this.trigger = snap.trigger;
    this.attempt = snap.attempt;
    this.attempts = attempts;
    this.params = snap.params as Record<string, unknown>;
    this.redis = services.redis;
    this.mongo = services.mongo;
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Lines stored against this execution; with history 'failures' info/debug lines wait for the outcome. */
  get log(): ExecutionLogger {
    return (this.logger ??= new ExecutionLogger(this.services.logger, { executionId: this.snap.id, workerId: this.def.id, attempt: this.snap.attempt }, this.def.history === 'failures'));
  }

  /** The run ended: held lines are written (`keep`) or forgotten. */
  settleLog(keep: boolean): void {
    this.logger?.settle(keep);
  }

  get progress(): RunContext['progress'] {
    const { services, def, snap } = this;
    return (this.progressFn ??= async (value: Progress) => {
      snap.progress = value;
      if (def.history === 'all') services.recorder.execution(snap);
      services.events.publish('execution.progress', { workerId: def.id, executionId: snap.id, progress: value });
      // The live hash gets the same redacted, capped copy as the row (a worker may pass any object).
      await services.mirror.setLiveState(def.id, { progress: services.recorder.redactor.json(value) ?? 'null' });
    });
  }

  get enqueue(): Enqueue {
    return (this.links ??= runLinks(this.services, this.def.id, this.snap.id)).enqueue;
  }

  get enqueueMany(): EnqueueMany {
    return (this.links ??= runLinks(this.services, this.def.id, this.snap.id)).enqueueMany;
  }

  get publish(): Publish {
    return (this.links ??= runLinks(this.services, this.def.id, this.snap.id)).publish;
  }

  /**
   * The runner's own verdict for a failure now. Once the run is aborted its reason decides (as the runner
   * records it): a timeout is retried while tries are left, a stop is not, a shutdown hands the job on.
   */
  get willRetry(): RunContext['willRetry'] {
    return (this.willRetryFn ??= (err: unknown) => {
      const cause = this.abort.aborted ? this.abort.reason : err;
      if (cause instanceof ShutdownInterruption) return true;
      return classifyFailure(cause, this.def.nonRetryable).retryable && this.attempt < this.attempts;
    });
  }

  get database(): RunContext['database'] {
    return (this.databaseFn ??= databaseReader(this.services.registry));
  }
}
