/**
 * One ResourceService per PluginApi (the API's routes and the worker's hooks each get one), built from the
 * resources this folder declares. The worker process keeps the api its onWorkerBoot hook received, because a
 * task's ctx carries no PluginApi.
 */
import { NonRetryableError, type PluginApi } from '../../app';
import { ensureResourcesDb } from './migrate';
import { discoverResources } from './resource-catalog';
import { ResourceService } from './resource-service';
import { ResourcesDb } from './resources.database';
import { VersionStore } from './version-store';

const services = new WeakMap<PluginApi, Promise<ResourceService>>();
let workerApi: PluginApi | null = null;

export function versionStore(): VersionStore {
  return new VersionStore(async () => {
    await ensureResourcesDb();
    return ResourcesDb.db();
  });
}

export function resourcesFor(api: PluginApi): Promise<ResourceService> {
  let service = services.get(api);
  if (!service) {
    service = discoverResources().then((catalog) => new ResourceService({
      catalog, store: versionStore(), redis: api.redis, publish: (type, data) => api.publish(type, data), logger: api.logger, config: api.config,
    }));
    services.set(api, service);
    service.catch(() => services.delete(api));
  }
  return service;
}

/** Called by onWorkerBoot. */
export function setWorkerApi(api: PluginApi | null): void {
  workerApi = api;
}

/** The worker process's service (tasks of this plugin). */
export function workerResources(): Promise<ResourceService> {
  if (!workerApi) throw new NonRetryableError('the resources plugin was not booted in this process (its hooks.ts onWorkerBoot did not run)');
  return resourcesFor(workerApi);
}
