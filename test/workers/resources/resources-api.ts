/**
 * The resources routes over HTTP. Until the core's PluginApi lands this mounts them the way the core will: inside
 * a scope with the core's auth hook and error handling, with a PluginApi built from the harness's container.
 */
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type { PluginApi } from '../../../app';
import { installAuth } from '../../../app/core/api/auth/auth.hook';
import { TokenStore } from '../../../app/core/api/auth/tokens';
import { buildApiApp } from '../../../app/core/api/app';
import routes, { publicRoutes } from '../../../workers/resources/resources.routes';
import { REDIS_URL } from '../../support/isolation';
import { startResources, type ResourcesFixture } from './resources-fixture';

export const ADMIN = 'res-admin-token-0123456789';
export const READER = 'res-read-token-0123456789';
export const asAdmin = { authorization: `Bearer ${ADMIN}` };
export const asReader = { authorization: `Bearer ${READER}` };

export interface ResourcesApi {
  fx: ResourcesFixture;
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

function pluginApiOf(fx: ResourcesFixture, redis: Redis): PluginApi {
  const c = fx.h.container;
  const unused = (what: string) => () => {
    throw new Error(`${what} is not used by the resources plugin`);
  };
  const log = (level: 'debug' | 'info' | 'warn' | 'error') => (m: string, meta?: Record<string, unknown>) => c.logger.log(level, m, { ...meta, plugin: 'resources' });
  return {
    name: 'resources',
    config: { get: <T>(key: string) => c.config.get<T>(key) },
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    trigger: unused('trigger'), enqueueMany: unused('enqueueMany'), mongo: unused('mongo'), database: unused('database'),
    publish: (type, data) => c.events.publish(type, { ...data, plugin: 'resources' }),
    redis,
    registry: { list: () => [], get: () => undefined, has: () => false },
  };
}

/** `extra` adds routes of the test's own (a page) before the app listens. */
export async function startResourcesApi(label: string, env: Record<string, string> = {}, extra?: (app: FastifyInstance) => void): Promise<ResourcesApi> {
  const fx = await startResources(label, { API_TOKENS: `ops:admin:${ADMIN},viewer:read:${READER}`, API_RATE_LIMIT_MAX: '100000', ...env });
  const redis = new Redis(REDIS_URL, { keyPrefix: fx.redisPrefix });
  const api = pluginApiOf(fx, redis);
  const app = await buildApiApp(fx.h.container);
  extra?.(app);
  await app.register(async (scope) => {
    installAuth(scope, new TokenStore(fx.h.container.settings.API_TOKENS), '/admin/queues');
    await scope.register(routes, { prefix: '/plugins/resources', api });
  });
  await app.register(publicRoutes.plugin, { prefix: publicRoutes.prefix, api });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    fx, app, url,
    async close() {
      await app.close();
      redis.disconnect();
      await fx.close();
    },
  };
}
