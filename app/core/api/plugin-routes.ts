/** Mounts each plugin folder's `routes.ts` (a Fastify plugin) under `/plugins/<folder>`. */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import fg from 'fast-glob';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Container } from '../runtime/container';

export interface PluginRouteOptions {
  container: Container;
}

export async function findPluginRoutes(workersDir: string): Promise<Array<{ folder: string; file: string }>> {
  const files = await fg(['*/routes.ts', '*/routes.js'], { cwd: workersDir, absolute: true, ignore: ['**/*.d.ts'] });
  const byFolder = new Map<string, string>();
  for (const file of files.sort()) {
    const folder = path.basename(path.dirname(file));
    if (!byFolder.has(folder) || file.endsWith('.ts')) byFolder.set(folder, file);
  }
  return [...byFolder].map(([folder, file]) => ({ folder, file }));
}

export async function mountPluginRoutes(app: FastifyInstance, c: Container): Promise<string[]> {
  const mounted: string[] = [];
  for (const { folder, file } of await findPluginRoutes(path.resolve(c.settings.WORKERS_DIR))) {
    const mod = (await import(pathToFileURL(file).href)) as { default?: FastifyPluginAsync<PluginRouteOptions> | { default?: FastifyPluginAsync<PluginRouteOptions> } };
    const plugin = typeof mod.default === 'function' ? mod.default : mod.default?.default;
    if (typeof plugin !== 'function') throw new Error(`${path.relative(process.cwd(), file)} must export default a Fastify plugin`);
    await app.register(plugin, { prefix: `/plugins/${folder}`, container: c });
    mounted.push(folder);
  }
  return mounted;
}
