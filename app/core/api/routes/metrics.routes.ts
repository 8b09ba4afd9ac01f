/** GET /metrics: Prometheus text exposition (prom-client). */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import type { ApiMetrics } from '../events/metrics';
import { errors } from '../schemas/common';

/** The core's metrics and the plugins' (PluginApi `metrics`), one exposition. */
export function metricsRoutes(metrics: ApiMetrics, pluginRegistry?: Registry) {
  // Merged per scrape: plugins register their metrics after this route is mounted (public routes, hooks).
  const registry = () => (pluginRegistry?.getMetricsAsArray().length ? Registry.merge([metrics.registry, pluginRegistry]) : metrics.registry);
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/metrics', {
      schema: {
        tags: ['observability'], summary: 'Prometheus metrics: process, runs, durations, queue depth, log drops, listener state, and the plugins\' own',
        response: { 200: Type.String({ description: 'Prometheus text format' }), ...errors() },
      },
    }, async (_req, reply) => {
      const r = registry();
      return reply.type(r.contentType).send(await r.metrics());
    });
  };
}
