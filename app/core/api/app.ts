/** The Fastify application: public health routes, OpenAPI at /docs, plugin routes. */
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Container } from '../runtime/container';
import { healthRoutes, type ReadinessProbe } from './health.routes';
import { mountPluginRoutes } from './plugin-routes';

export async function buildApiApp(c: Container, probes = new Map<string, ReadinessProbe>()): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: c.settings.API_BODY_LIMIT_BYTES, trustProxy: true });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Sluice control API', version: '0.1.0', description: 'Workers, schedules, executions, logs and configuration.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) c.logger.error(`API ${req.method} ${req.url}: ${err.message}`);
    // 5xx bodies never carry stack traces or internals.
    void reply.code(status).send({ statusCode: status, error: status >= 500 ? 'Internal Server Error' : err.name, message: status >= 500 ? 'internal error' : err.message });
  });
  await app.register(healthRoutes(c, probes));
  await mountPluginRoutes(app, c);
  return app;
}
