/** Liveness and readiness: public routes, outside the authenticated scope. */
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Container } from '../runtime/container';
import { pluginObservability } from '../plugins';
import { warningOf } from '../plugins/plugin-observability';
import type { ReadinessResult } from '../plugins/plugin-api';

const Check = Type.Object({ ok: Type.Boolean(), latencyMs: Type.Number(), error: Type.Optional(Type.String()), warning: Type.Optional(Type.String()) });

async function timed(fn: () => Promise<unknown>, timeoutMs: number, warns = false): Promise<{ ok: boolean; latencyMs: number; error?: string; warning?: string }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = await Promise.race([fn(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)))]);
    const warning = warns ? warningOf(result as ReadinessResult) : undefined;
    return { ok: true, latencyMs: Math.round(performance.now() - started), ...(warning ? { warning } : {}) };
  } catch (err) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

export type ReadinessProbe = () => Promise<unknown>;

export function healthRoutes(c: Container, extraProbes: Map<string, ReadinessProbe>) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/health', {
      schema: { tags: ['health'], summary: 'Liveness', response: { 200: Type.Object({ status: Type.Literal('ok'), uptimeS: Type.Number() }) } },
    }, async () => ({ status: 'ok' as const, uptimeS: Math.round(process.uptime()) }));

    app.get('/ready', {
      schema: {
        tags: ['health'], summary: 'Readiness: MySQL, Redis, MongoDB, every @Database and the plugins\' checks (a check may carry a warning and stay ok)',
        response: { 200: Type.Object({ status: Type.String(), checks: Type.Record(Type.String(), Check) }), 503: Type.Object({ status: Type.String(), checks: Type.Record(Type.String(), Check) }) },
      },
    }, async (_req, reply) => {
      const probes: Array<[string, ReadinessProbe]> = [
        ['mysql', () => c.core.pool.query('SELECT 1')],
        ['redis', () => c.redis.ping()],
        ...[...c.registry.databases.values()].map((d): [string, ReadinessProbe] => [`database:${d.name}`, () => (d.cls as unknown as { ping(): Promise<void> }).ping()]),
        ...extraProbes,
      ];
      const pluginChecks = [...pluginObservability(c).readinessChecks()];
      const results = await Promise.all([
        ...probes.map(async ([name, fn]) => [name, await timed(fn, 3_000)] as const),
        ...pluginChecks.map(async ([name, fn]) => [name, await timed(fn, 3_000, true)] as const),
      ]);
      const checks = Object.fromEntries(results);
      const ok = results.every(([, r]) => r.ok);
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'unavailable', checks });
    });
  };
}
