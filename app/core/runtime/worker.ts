/** The worker role: consume every schedule worker's queue (listeners join in Core runtime II). */
import { ControlChannel } from '../services/control';
import { JobRunner } from '../services/job-runner';
import { Reconciler } from '../services/reconciler';
import { ListenerManager } from './listeners';
import type { Container } from './container';
import type { PluginLifecycle } from '../plugins/lifecycle';

export interface WorkerRole {
  runner: JobRunner;
  listeners: ListenerManager;
  reconciler: Reconciler;
  stop(): Promise<void>;
}

/** Boot: load config and registry → clear this deployment's stale runtime keys → seed → sync DB→Redis → plugin onWorkerBoot hooks → consume. */
export async function startWorkerRole(c: Container, opts: { plugins?: PluginLifecycle } = {}): Promise<WorkerRole> {
  await c.init();
  await c.mirror.clearRuntimeKeys(c.registry);
  await c.mirror.seedRegistry(c.registry);
  await c.mirror.syncDbToRedis(c.registry);
  await c.ensureMongoIndexes();
  await opts.plugins?.run('onWorkerBoot');
  const runner = new JobRunner({
    registry: c.registry, queues: c.queues, recorder: c.recorder, mirror: c.mirror, events: c.events, live: c.live,
    config: c.config, dispatcher: c.dispatcher, logger: c.logger, redis: c.redis, mongo: () => c.mongo(),
    lockDurationMs: c.settings.QUEUE_LOCK_DURATION_MS, keys: c.keys,
  });
  runner.start();
  const reconciler = new Reconciler({
    pool: c.core.pool, redis: c.redis, keys: c.keys, queues: c.queues, registry: c.registry, recorder: c.recorder, logger: c.logger,
    staleAfterMs: c.settings.QUEUE_LOCK_DURATION_MS * 2,
  });
  reconciler.start(c.settings.QUEUE_STALLED_INTERVAL_MS);
  const listeners = new ListenerManager(c);
  await listeners.start();
  const control = new ControlChannel(c.redis, c.keys.controlChannel);
  await control.listen(c.redisFactory.create('worker:control-sub', { blocking: true }), (m) => {
    if (m.type === 'cancel') runner.cancel(m.executionId, m.reason);
    if (m.type === 'listener') void listeners.control(m);
  });
  c.logger.info(`worker consuming ${c.registry.schedules.length} queue(s): ${c.registry.schedules.map((s) => s.id).join(', ') || 'none'}; ${listeners.size} listener(s)`);
  return {
    runner,
    reconciler,
    listeners,
    async stop() {
      reconciler.stop();
      await listeners.stop();
      const { finished, interrupted } = await runner.stop(c.settings.SHUTDOWN_GRACE_MS);
      await opts.plugins?.runAtShutdown('onWorkerShutdown');
      c.logger.info(`worker stopped: ${finished} running job(s) finished, ${interrupted} interrupted and left for another worker`);
    },
  };
}
