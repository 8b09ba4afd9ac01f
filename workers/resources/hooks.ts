/**
 * Lifecycle hooks of the resources plugin. The worker process keeps its PluginApi for the refresh task (a task's
 * ctx has none). Both roles read the resource declarations at boot, so a bad `*.resource.ts` fails the boot naming
 * the file; the database is not touched here (an unreachable one fails requests and /ready, not the whole API).
 */
import type { PluginApi } from '../../app';
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
}
