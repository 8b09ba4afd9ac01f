/** Enqueues jobs (API trigger, beat fire, ctx.enqueue, enqueueMany) and records the queued executions. */
import type { JobOptions, Queue } from 'bull';
import type { ScheduleDefinition, WorkerRegistry } from '../registry/worker-registry';
import type { EnqueueOptions, Trigger } from '../structures/context';
import type { ExecutionRecorder } from './execution-recorder';
import { isoTime } from './clock';
import type { TaskQueues } from './task-queues';
import { deterministicExecutionId, newExecutionId } from './ids';
import { assertParams, ParamsValidationError } from './params';

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

/** One job of `enqueueMany`. */
export interface JobSpec {
  params?: Record<string, unknown>;
  delayMs?: number;
  jobId?: string;
  priority?: number;
}

export interface JobDefaults {
  keepCompleted: number;
  keepFailed: number;
  /** Jobs per Bull `addBulk` (one MULTI); longer `enqueueMany` calls are sent in several. @defaultValue ENQUEUE_BULK_CHUNK (5000) */
  bulkChunk?: number;
  /** Resolves a setting an option names (`attempts: 'MY_ATTEMPTS'`) for a worker. @defaultValue none */
  setting?: (key: string, workerId: string) => unknown;
}

interface Prepared {
  data: JobData;
  opts: JobOptions & { jobId: string };
  /** Whether the caller chose the job id (then a job already holding it wins). */
  explicitId: boolean;
}

/** Checks one job's options; the message names the job's index in a bulk call. */
function checkSpec(spec: JobSpec, where: string): void {
  if (spec.delayMs !== undefined && (!Number.isFinite(spec.delayMs) || spec.delayMs < 0)) throw new ParamsValidationError('', `${where}delayMs must be a number >= 0 (got ${String(spec.delayMs)})`);
  if (spec.jobId !== undefined && (typeof spec.jobId !== 'string' || !spec.jobId || spec.jobId.length > 512)) throw new ParamsValidationError('', `${where}jobId must be a non-empty string of at most 512 characters`);
}

export class Dispatcher {
  constructor(
    private readonly registry: WorkerRegistry,
    private readonly queues: TaskQueues,
    private readonly recorder: ExecutionRecorder,
    private readonly defaults: JobDefaults,
  ) {}

  /** Validates, enqueues and records a job; returns its execution id (the existing one when `jobId` is taken). */
  async enqueue(workerId: string, params: Record<string, unknown> = {}, opts: DispatchOptions = {}): Promise<string> {
    const def = this.definition(workerId);
    checkSpec(opts, '');
    params = assertParams(def.params, params);
    this.recorder.redactor.checkParams(params);
    const [id] = await this.dispatch(def, [this.prepare(def, { ...opts, params }, opts)]);
    return id;
  }

  /**
   * Enqueues many jobs of one worker: every job is validated first (one bad job enqueues nothing), then they go
   * in one Bull `addBulk` per ENQUEUE_BULK_CHUNK jobs and their queued rows in one batch. Resolves to the execution
   * ids in the order of `jobs`; a job whose `jobId` is already held (by an earlier call or earlier in this list)
   * gets the execution id of the job holding it.
   */
  async enqueueMany(workerId: string, jobs: readonly JobSpec[], common: Pick<DispatchOptions, 'trigger' | 'parentExecutionId'> = {}): Promise<string[]> {
    const def = this.definition(workerId);
    if (!Array.isArray(jobs)) throw new ParamsValidationError('', 'jobs must be an array');
    const specs = jobs.map((spec, i) => {
      checkSpec(spec, `jobs[${i}].`);
      try {
        const params = assertParams(def.params, spec.params ?? {});
        this.recorder.redactor.checkParams(params);
        return { ...spec, params };
      } catch (err) {
        if (err instanceof ParamsValidationError) throw new ParamsValidationError(err.field, `jobs[${i}]: ${err.reason}`);
        throw err;
      }
    });
    const first = new Map<string, number>();
    const unique: Prepared[] = [];
    const slot = specs.map((spec) => {
      const seen = spec.jobId === undefined ? undefined : first.get(spec.jobId);
      if (seen !== undefined) return seen;
      if (spec.jobId !== undefined) first.set(spec.jobId, unique.length);
      unique.push(this.prepare(def, spec, common));
      return unique.length - 1;
    });
    const ids: string[] = [];
    const chunk = Math.max(1, this.defaults.bulkChunk ?? 5_000);
    for (let i = 0; i < unique.length; i += chunk) ids.push(...(await this.dispatch(def, unique.slice(i, i + chunk))));
    return slot.map((i) => ids[i]);
  }

  /** The internal trigger the API exposes: run now with params. */
  trigger(workerId: string, params: Record<string, unknown> = {}, triggeredBy: string | null = null): Promise<string> {
    return this.enqueue(workerId, params, { trigger: 'manual', triggeredBy });
  }

  /** Tries per job: the decorator's number, or the setting it names (read when the job is enqueued). */
  attemptsOf(def: ScheduleDefinition): number {
    return positiveSetting(def, 'attempts', def.attemptsSetting, def.attempts, this.defaults.setting);
  }

  private definition(workerId: string): ScheduleDefinition {
    const def = this.registry.schedule(workerId);
    if (!def) throw new UnknownWorkerError(workerId);
    return def;
  }

  private prepare(def: ScheduleDefinition, spec: JobSpec & { at?: Date }, common: Pick<DispatchOptions, 'trigger' | 'parentExecutionId' | 'triggeredBy'>): Prepared {
    const at = spec.at ?? new Date();
    const executionId = spec.jobId ? deterministicExecutionId(spec.jobId, at) : newExecutionId(spec.at);
    const data: JobData = {
      executionId, workerId: def.id, trigger: common.trigger ?? 'manual', params: spec.params ?? {},
      queuedAt: isoTime(Date.now()), parentExecutionId: common.parentExecutionId ?? null,
      ...(common.triggeredBy ? { triggeredBy: common.triggeredBy } : {}),
    };
    const opts = {
      jobId: spec.jobId ?? executionId,
      attempts: this.attemptsOf(def),
      backoff: { type: def.backoff.type, delay: def.backoff.delayMs },
      delay: spec.delayMs,
      priority: spec.priority,
      removeOnComplete: this.defaults.keepCompleted,
      removeOnFail: this.defaults.keepFailed,
    };
    return { data, opts, explicitId: spec.jobId !== undefined };
  }

  /** Adds the jobs (Bull skips an id it already holds), then records the queued rows of the jobs this call added. */
  private async dispatch(def: ScheduleDefinition, jobs: Prepared[]): Promise<string[]> {
    const queue = this.queues.get(def.id);
    if (jobs.length === 1) await queue.add(jobs[0].data, jobs[0].opts);
    else await queue.addBulk(jobs.map((j) => ({ data: j.data, opts: j.opts })));
    const holders = await this.holders(queue, jobs);
    const ids = jobs.map((j, i) => holders[i] ?? j.data.executionId);
    if (def.history === 'all') {
      jobs.forEach((j, i) => {
        if (ids[i] !== j.data.executionId) return; // another enqueue holds this job id: its row already exists
        this.recorder.execution({
          id: j.data.executionId, workerId: def.id, trigger: j.data.trigger, params: j.data.params, status: 'queued', attempt: 0, progress: null,
          result: null, error: null, jobId: j.opts.jobId, parentExecutionId: j.data.parentExecutionId, triggeredBy: j.data.triggeredBy ?? null, fence: 0,
          queuedAt: new Date(j.data.queuedAt), startedAt: null, finishedAt: null, durationMs: null,
        });
      });
    }
    return ids;
  }

  /**
   * For jobs with a caller-chosen id: the execution id of the job Bull now holds under that id (one pipelined read
   * after the add, so two processes adding the same id at once agree on one execution and one row).
   */
  private async holders(queue: Queue, jobs: Prepared[]): Promise<Array<string | undefined>> {
    const explicit = jobs.map((j, i) => (j.explicitId ? i : -1)).filter((i) => i >= 0);
    const out: Array<string | undefined> = new Array(jobs.length);
    if (!explicit.length) return out;
    const pipe = queue.client.pipeline();
    for (const i of explicit) pipe.hget(queue.toKey(jobs[i].opts.jobId), 'data');
    const res = (await pipe.exec()) ?? [];
    explicit.forEach((jobIndex, k) => {
      const [err, raw] = res[k] ?? [];
      if (err) throw err;
      out[jobIndex] = executionIdIn(raw);
    });
    return out;
  }
}

function executionIdIn(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  try {
    const id = (JSON.parse(raw) as Partial<JobData>).executionId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined; // not a Sluice job: keep our own id
  }
}

/** A decorator option given as a setting name: its value must be a positive integer. */
export function positiveSetting(def: ScheduleDefinition, option: string, setting: string | null | undefined, fallback: number, read?: (key: string, workerId: string) => unknown): number {
  if (!setting || !read) return fallback;
  const raw = read(setting, def.id);
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`Worker "${def.id}": setting ${setting} (its ${option}) must be a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}
