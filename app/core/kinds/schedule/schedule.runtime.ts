/** How a worker process runs schedule workers: one Bull consumer per queue, plus the reconciler of crashed runs. */
import { JobRunner } from '../../services/job-runner';
import { Reconciler } from '../../services/reconciler';
import type { ControlMessage } from '../../services/control';
import type { Container } from '../../runtime/container';
import type { KindRuntime } from '../kind';
import type { ScheduleDefinition } from './schedule.definition';

export class ScheduleRuntime implements KindRuntime {
  readonly runner: JobRunner;
  readonly reconciler: Reconciler;

  constructor(private readonly defs: ScheduleDefinition[], private readonly c: Container) {
    this.runner = new JobRunner({
      registry: c.registry, queues: c.queues, recorder: c.recorder, mirror: c.mirror, events: c.events, live: c.live,
      config: c.config, dispatcher: c.dispatcher, logger: c.logger, redis: c.redis, mongo: () => c.mongo(),
      lockDurationMs: c.settings.QUEUE_LOCK_DURATION_MS, keys: c.keys,
    });
    this.reconciler = new Reconciler({
      pool: c.core.pool, redis: c.redis, keys: c.keys, queues: c.queues, registry: c.registry, recorder: c.recorder, logger: c.logger,
      staleAfterMs: c.settings.QUEUE_LOCK_DURATION_MS * 2,
    });
  }

  get summary(): string {
    return `${this.defs.length} queue(s): ${this.defs.map((s) => s.id).join(', ') || 'none'}`;
  }

  async start(): Promise<void> {
    this.runner.start();
    this.reconciler.start(this.c.settings.QUEUE_STALLED_INTERVAL_MS);
  }

  control(m: ControlMessage): void {
    if (m.type === 'cancel') this.runner.cancel(m.executionId, m.reason);
  }

  async stop(graceMs: number): Promise<void> {
    this.reconciler.stop();
    const { finished, interrupted } = await this.runner.stop(graceMs);
    this.c.logger.info(`worker stopped: ${finished} running job(s) finished, ${interrupted} interrupted and left for another worker`);
  }
}
