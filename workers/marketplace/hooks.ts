/** Lifecycle hooks: replay the sync buffer a previous worker left behind; close the platform HTTP pools. */
import type { PluginApi } from '../../app';
import { closePlatformClients } from './platforms';
import { marketplaceService } from './service';

export async function onWorkerBoot(api: PluginApi): Promise<void> {
  let svc;
  try {
    svc = await marketplaceService({ mongo: () => api.mongo(), redis: api.redis, config: api.config, logger: api.logger, publish: (t, d) => api.publish(t, d) });
  } catch (err) {
    // No MongoDB in this process (MONGO_URL unset outside dev): nothing was buffered here either.
    api.logger.warn(`marketplace: sync buffer not replayed at boot: ${(err as Error).message}`);
    return;
  }
  const pending = (await svc.buffer.pending()).length;
  if (!pending) return;
  const r = await svc.replay();
  api.logger.info(`marketplace: replayed the sync buffer at boot: ${r.applied} batch(es) written, ${r.failed} still failing, ${r.quarantined} quarantined`, { pending });
}

export async function onWorkerShutdown(): Promise<void> {
  await closePlatformClients();
}
