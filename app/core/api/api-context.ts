/** What the route plugins of the admin scope share: the container, read models and the control channel. */
import type { Container } from '../runtime/container';
import { ControlChannel } from '../services/control';
import { ExecutionQueries } from './data/executions.query';
import { Retries } from './data/retries';
import { StatsRollup } from './data/stats-rollup';
import { WorkerViews } from './data/workers.view';
import { ApiErrors } from './errors';
import type { WorkerDefinition } from '../registry/worker-registry';

export interface ApiContext {
  c: Container;
  views: WorkerViews;
  executions: ExecutionQueries;
  control: ControlChannel;
  retries: Retries;
  rollup: StatsRollup;
  /** The worker definition, or a 404 error naming the id. */
  worker(id: string): WorkerDefinition;
}

export function createApiContext(c: Container): ApiContext {
  const executions = new ExecutionQueries(c.core.pool);
  return {
    c,
    executions,
    views: new WorkerViews({ redis: c.redis, keys: c.keys, registry: c.registry, mirror: c.mirror, executions, defaultTimezone: c.settings.DEFAULT_TIMEZONE }),
    control: new ControlChannel(c.redis, c.keys.controlChannel),
    retries: new Retries(c),
    rollup: new StatsRollup(c.core.pool, { sealAfterMs: c.settings.STATS_SEAL_AFTER_MS }),
    worker(id) {
      const def = c.registry.get(id);
      if (!def) throw new ApiErrors.WorkerNotFound(id);
      return def;
    },
  };
}
