/**
 * Mounts each plugin folder's `routes.ts`: its default export under `/plugins/<folder>` (in the admin scope, behind
 * the token) and its `publicRoutes` at the prefix they name (public-scope.ts). Both receive the folder's PluginApi.
 */
import type { FastifyInstance } from 'fastify';
import type { Container } from '../runtime/container';
import { findPluginFiles, importPluginFile, pluginApis, shownFile } from '../plugins';
import type { PluginRoutes, PublicRoutes } from '../plugins/plugin-api';

export interface LoadedPluginRoutes {
  folder: string;
  file: string;
  routes?: PluginRoutes;
  publicRoutes?: PublicRoutes;
}

const PREFIX = /^(\/[a-z0-9][a-z0-9._~-]*)+$/;

/** Loads every `routes.ts` of WORKERS_DIR and checks the shape of its exports (a wrong one names the file). */
export async function loadPluginRoutes(workersDir: string): Promise<LoadedPluginRoutes[]> {
  const out: LoadedPluginRoutes[] = [];
  for (const { folder, file } of await findPluginFiles(workersDir, 'routes')) {
    const mod = await importPluginFile(file);
    const shown = shownFile(file);
    if (mod.default !== undefined && typeof mod.default !== 'function') throw new Error(`${shown}: the default export must be a Fastify plugin (async (app, { api }) => …)`);
    const pub = mod.publicRoutes as PublicRoutes | undefined;
    if (pub !== undefined) {
      if (!pub || typeof pub.plugin !== 'function') throw new Error(`${shown}: publicRoutes must be { prefix, plugin } with a Fastify plugin`);
      if (typeof pub.prefix !== 'string' || !PREFIX.test(pub.prefix)) throw new Error(`${shown}: publicRoutes.prefix "${String(pub.prefix)}" must be an absolute lowercase path such as /webhooks`);
    }
    if (mod.default === undefined && pub === undefined) throw new Error(`${shown} must export default a Fastify plugin and/or publicRoutes`);
    out.push({ folder, file, routes: mod.default as PluginRoutes | undefined, publicRoutes: pub });
  }
  return out;
}

/** Admin scope: every plugin's token-guarded routes under `/plugins/<folder>`. */
export async function mountPluginRoutes(app: FastifyInstance, c: Container, loaded: readonly LoadedPluginRoutes[]): Promise<string[]> {
  const mounted: string[] = [];
  for (const { folder, routes } of loaded) {
    if (!routes) continue;
    await app.register(routes, { prefix: `/plugins/${folder}`, api: pluginApis(c).get(folder) });
    mounted.push(folder);
  }
  return mounted;
}
