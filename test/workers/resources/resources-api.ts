/** The resources routes over HTTP, mounted by the real API (plugin routes, public routes, auth, /ws). */
import type { FastifyInstance } from 'fastify';
import { buildApiApp } from '../../../app/core/api/app';
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

/** `extra` adds routes of the test's own (a page) before the app listens. */
export async function startResourcesApi(label: string, env: Record<string, string> = {}, extra?: (app: FastifyInstance) => void): Promise<ResourcesApi> {
  const fx = await startResources(label, { API_TOKENS: `ops:admin:${ADMIN},viewer:read:${READER}`, API_RATE_LIMIT_MAX: '100000', PUBLIC_RATE_LIMIT_MAX: '100000', ...env });
  const app = await buildApiApp(fx.h.container);
  extra?.(app);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    fx, app, url,
    async close() {
      await app.close();
      await fx.close();
    },
  };
}
