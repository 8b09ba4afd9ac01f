/** The worker role: runs every worker kind's workers (queue consumers, supervised listeners, stream consumers). */
import { ControlChannel } from '../services/control';
import type { JobRunner } from '../services/job-runner';
import type { Reconciler } from '../services/reconciler';
import { kindOf, workerKinds, type KindRuntime } from '../kinds';
import type { ScheduleRuntime } from '../kinds/schedule/schedule.runtime';
import type { ListenerManager } from './listeners';
import type { Container } from './container';
import type { PluginLifecycle } from '../plugins/lifecycle';

export interface WorkerRole {
  /** The runtime of each kind that has workers to run here, by kind name. */
  runtimes: ReadonlyMap<string, KindRuntime>;
  runner: JobRunner;
  listeners: ListenerManager;
  reconciler: Reconciler;
  stop(): Promise<void>;
}

function startRuntimes(c: Container): Map<string, KindRuntime> {
  const runtimes = new Map<string, KindRuntime>();
  for (const kind of workerKinds()) {
    // Every kind gets its runtime, workers or not: an empty one costs nothing and the boot line counts it.
    if (kind.run) runtimes.set(kind.name, kind.run(c.registry.ofKind(kind.name), c));
  }
  return runtimes;
}

/** Boot: load config and registry → clear this deployment's stale runtime keys → seed → sync DB→Redis → plugin onWorkerBoot hooks → run each kind. */
export async function startWorkerRole(c: Container, opts: { plugins?: PluginLifecycle } = {}): Promise<WorkerRole> {
  await c.init();
  for (const def of c.registry.workers.values()) kindOf(def);
  await c.mirror.clearRuntimeKeys(c.registry);
  await c.mirror.seedRegistry(c.registry);
  await c.mirror.syncDbToRedis(c.registry);
  await c.ensureMongoIndexes();
  await opts.plugins?.run('onWorkerBoot');
  const runtimes = startRuntimes(c);
  for (const runtime of runtimes.values()) await runtime.start();
  // The channel reports malformed messages and handler failures, naming the worker or execution.
  const control = new ControlChannel(c.redis, c.keys.controlChannel, c.logger);
  await control.listen(c.redisFactory.create('worker:control-sub', { blocking: true }), (m) =>
    Promise.all([...runtimes.values()].map((runtime) => runtime.control(m))));
  c.logger.info(`worker consuming ${[...runtimes.values()].map((r) => r.summary).join('; ')}`);
  const schedule = runtimes.get('schedule') as ScheduleRuntime;
  return {
    runtimes,
    runner: schedule.runner,
    reconciler: schedule.reconciler,
    listeners: runtimes.get('websocket') as ListenerManager,
    async stop() {
      // Supervised kinds first (they stop fast), then the queue consumers get the grace period.
      const order = [...runtimes.entries()].reverse();
      await Promise.all(order.filter(([name]) => name !== 'schedule').map(([, r]) => r.stop(c.settings.SHUTDOWN_GRACE_MS)));
      await schedule.stop(c.settings.SHUTDOWN_GRACE_MS);
      await opts.plugins?.runAtShutdown('onWorkerShutdown');
    },
  };
}
