/**
 * Lifecycle hooks: register the webhook consumer's detail source (orders by id through the adapters), replay the
 * sync buffer a previous worker left behind; at shutdown remove the source and close the platform HTTP pools.
 */
import type { PluginApi } from '../../app';
import { registerMarketDetailSources } from './detail-source';
import { closePlatformClients } from './platforms';
import { marketplaceService } from './service';

/** The registrations this process made, removed at its shutdown (per API: tests run several roles in one process). */
const unregister = new Map<PluginApi, () => void>();

export async function onWorkerBoot(api: PluginApi): Promise<void> {
  let svc;
  try {
    svc = await marketplaceService({ mongo: () => api.mongo(), redis: api.redis, config: api.config, logger: api.logger, publish: (t, d) => api.publish(t, d) });
  } catch (err) {
    // No MongoDB in this process (MONGO_URL unset outside dev): nothing was buffered here, and no shop to fetch for.
    api.logger.warn(`marketplace: sync buffer not replayed and no webhook detail source registered at boot: ${(err as Error).message}`);
    return;
  }
  unregister.set(api, registerMarketDetailSources(svc));
  const pending = (await svc.buffer.pending()).length;
  if (!pending) return;
  const r = await svc.replay();
  api.logger.info(`marketplace: replayed the sync buffer at boot: ${r.applied} batch(es) written, ${r.failed} still failing, ${r.quarantined} quarantined`, { pending });
}

export async function onWorkerShutdown(api: PluginApi): Promise<void> {
  unregister.get(api)?.();
  unregister.delete(api);
  await closePlatformClients();
}
