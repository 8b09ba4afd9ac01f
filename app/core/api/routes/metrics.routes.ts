/** GET /metrics: Prometheus text exposition (prom-client). */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiMetrics } from '../events/metrics';
import { errors } from '../schemas/common';

export function metricsRoutes(metrics: ApiMetrics) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/metrics', {
      schema: {
        tags: ['observability'], summary: 'Prometheus metrics: process, runs, durations, queue depth, log drops, listener state',
        response: { 200: Type.String({ description: 'Prometheus text format' }), ...errors() },
      },
    }, async (_req, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
  };
}
