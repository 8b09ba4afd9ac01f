/**
 * Lifecycle hooks of the resources plugin. The worker process keeps its PluginApi for the refresh task (a task's
 * ctx has none); the API process checks its declarations and schema before it listens, so a bad resource file or an
 * unreachable database fails the boot instead of the first request.
 */
import type { PluginApi } from '../../app';
import { ensureResourcesDb } from './migrate';
import { resourcesFor, setWorkerApi } from './runtime';

export async function onWorkerBoot(api: PluginApi): Promise<void> {
  setWorkerApi(api);
  await resourcesFor(api);
}

export async function onWorkerShutdown(): Promise<void> {
  setWorkerApi(null);
}

export async function onApiBoot(api: PluginApi): Promise<void> {
  await resourcesFor(api);
  await ensureResourcesDb();
}
