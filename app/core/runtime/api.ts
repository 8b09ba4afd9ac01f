/** The API role. Boot: log writer → config cache → seed registry → sync DB→Redis → plugin onApiBoot hooks → listen. */
import type { FastifyInstance } from 'fastify';
import { buildApiApp } from '../api/app';
import type { ReadinessProbe } from '../api/health.routes';
import type { Container } from './container';
import { boundUrl } from './dev';
import type { PluginLifecycle } from '../plugins/lifecycle';

export interface ApiRole {
  app: FastifyInstance;
  url: string;
  /** The address really bound (`http://0.0.0.0:8686` when listening on every interface). */
  boundUrl: string;
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
  const bound = boundUrl(app.server.address());
  const everywhere = /\/\/(0\.0\.0\.0|\[::\]):/.test(bound) ? ' (every interface)' : '';
  c.logger.info(`API listening on ${bound}${everywhere} (Swagger UI at /docs, dashboard at /dashboard)`);
  return { app, url, boundUrl: bound, stop: () => app.close() };
}
