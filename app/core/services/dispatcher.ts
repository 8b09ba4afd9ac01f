/** Enqueues jobs (API trigger, beat fire, ctx.enqueue) and records the queued execution. */
import type { WorkerRegistry } from '../registry/worker-registry';
import type { EnqueueOptions, Trigger } from '../structures/context';
import type { ExecutionRecorder } from './execution-recorder';
import type { TaskQueues } from './task-queues';
import { deterministicExecutionId, newExecutionId } from './ids';
import { assertParams } from './params';

export interface JobData {
  executionId: string;
  workerId: string;
  trigger: Trigger;
  params: Record<string, unknown>;
  queuedAt: string;
  parentExecutionId: string | null;
  /** Token name of whoever triggered the run through the API. */
  triggeredBy?: string | null;
}

export class UnknownWorkerError extends Error {
  override name = 'UnknownWorkerError';
  constructor(readonly workerId: string) {
    super(`No schedule worker with id "${workerId}"`);
  }
}

export interface DispatchOptions extends EnqueueOptions {
  trigger?: Trigger;
  parentExecutionId?: string | null;
  /** Token name of the API caller, kept on the execution row. @defaultValue null */
  triggeredBy?: string | null;
  /** The instant the job stands for (a cron fire time); with `jobId` it makes the execution id deterministic. */
  at?: Date;
}

export interface JobDefaults {
  keepCompleted: number;
  keepFailed: number;
}

export class Dispatcher {
  constructor(
    private readonly registry: WorkerRegistry,
    private readonly queues: TaskQueues,
    private readonly recorder: ExecutionRecorder,
    private readonly defaults: JobDefaults,
  ) {}

  /** Validates, enqueues and records a job; returns its execution id. */
  async enqueue(workerId: string, params: Record<string, unknown> = {}, opts: DispatchOptions = {}): Promise<string> {
    const def = this.registry.schedule(workerId);
    if (!def) throw new UnknownWorkerError(workerId);
    assertParams(def.params, params);
    if (opts.jobId) {
      // Bull ignores a second add with the same job id; answer with the execution that job already stands for.
      const existing = await this.queues.get(workerId).getJob(opts.jobId);
      if (existing?.data?.executionId) return (existing.data as JobData).executionId;
    }
    const at = opts.at ?? new Date();
    const executionId = opts.jobId ? deterministicExecutionId(opts.jobId, at) : newExecutionId(at);
    const data: JobData = {
      executionId, workerId, trigger: opts.trigger ?? 'manual', params,
      queuedAt: new Date().toISOString(), parentExecutionId: opts.parentExecutionId ?? null,
      ...(opts.triggeredBy ? { triggeredBy: opts.triggeredBy } : {}),
    };
    const job = await this.queues.get(workerId).add(data, {
      jobId: opts.jobId ?? executionId,
      attempts: def.attempts,
      backoff: { type: def.backoff.type, delay: def.backoff.delayMs },
      delay: opts.delayMs,
      priority: opts.priority,
      removeOnComplete: this.defaults.keepCompleted,
      removeOnFail: this.defaults.keepFailed,
    });
    if (def.history === 'all') {
      this.recorder.execution({
        id: executionId, workerId, trigger: data.trigger, params, status: 'queued', attempt: 0, progress: null, result: null,
        error: null, jobId: String(job.id), parentExecutionId: data.parentExecutionId, triggeredBy: data.triggeredBy ?? null, fence: 0,
        queuedAt: new Date(data.queuedAt), startedAt: null, finishedAt: null, durationMs: null,
      });
    }
    return executionId;
  }

  /** The internal trigger the API exposes: run now with params. */
  trigger(workerId: string, params: Record<string, unknown> = {}, triggeredBy: string | null = null): Promise<string> {
    return this.enqueue(workerId, params, { trigger: 'manual', triggeredBy });
  }
}
