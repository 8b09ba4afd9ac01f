/** The API role. Boot: log writer → config cache → seed registry → sync DB→Redis → plugin onApiBoot hooks → listen. */
import type { FastifyInstance } from 'fastify';
import { buildApiApp } from '../api/app';
import type { ReadinessProbe } from '../api/health.routes';
import type { Container } from './container';
import type { PluginLifecycle } from '../plugins/lifecycle';

export interface ApiRole {
  app: FastifyInstance;
  url: string;
  stop(): Promise<void>;
}

export async function startApiRole(c: Container, opts: { seed?: boolean; port?: number; host?: string; probes?: Map<string, ReadinessProbe>; plugins?: PluginLifecycle } = {}): Promise<ApiRole> {
  await c.init();
  if (opts.seed !== false) {
    await c.mirror.seedRegistry(c.registry);
    await c.mirror.syncDbToRedis(c.registry);
  }
  const app = await buildApiApp(c, { probes: opts.probes ?? c.probes });
  try {
    await opts.plugins?.run('onApiBoot');
  } catch (err) {
    await app.close();
    throw err;
  }
  const url = await app.listen({ host: opts.host ?? c.settings.API_HOST, port: opts.port ?? c.settings.API_PORT });
  c.logger.info(`API listening on ${url} (Swagger UI at /docs, dashboard at /dashboard)`);
  return { app, url, stop: () => app.close() };
}
