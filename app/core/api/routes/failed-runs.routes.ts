/**
 * Bulk actions over a worker's failed runs (bull-board's "retry all" / "clean"): retry or delete every failed run
 * in a queued-time range whose error contains a text. Each call acts on at most API_BULK_MAX runs, oldest first,
 * and answers the count it changed and whether more matched.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context';
import { ApiErrors, fieldError } from '../errors';
import { errors, WorkerParams } from '../schemas/common';
import { BulkDeleted, BulkFilters, BulkRetried } from '../schemas/executions';
import type { ExecutionSearch } from '../data/executions.query';

const DEFAULT_STATUSES = ['failed', 'timed_out'];

/** 400 when the start of a time range is after its end. */
export function assertRange(from: string | undefined, to: string | undefined, part = 'querystring', names: [string, string] = ['from', 'to']): void {
  if (from && to && Date.parse(from) > Date.parse(to)) throw fieldError.validation(`${part}/${names[0]} must not be after ${names[1]}`, `${part}/${names[0]}`);
}

export function failedRunsRoutes(ctx: ApiContext) {
  const max = ctx.c.settings.API_BULK_MAX;
  return async (fastify: FastifyInstance): Promise<void> => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const search = (workerId: string, f: { status?: string[]; from?: string; to?: string; q?: string }): ExecutionSearch => ({
      workerId, statuses: f.status ?? DEFAULT_STATUSES, from: f.from, to: f.to, q: f.q,
    });

    app.post('/workers/:id/failed/retry', {
      schema: {
        tags: ['executions'], summary: "Retry a worker's failed runs not retried yet (filters: status, queued time range, error text)",
        params: WorkerParams, body: BulkFilters, response: { 202: BulkRetried, ...errors(400, 403, 404, 409, 413) },
      },
    }, async (req, reply) => {
      const def = ctx.worker(req.params.id);
      if (def.kind !== 'schedule') throw new ApiErrors.NotASchedule(def.id, def.kind);
      assertRange(req.body.from, req.body.to, 'body');
      const ids = await ctx.executions.matchingIds({ ...search(def.id, req.body), retried: false }, max + 1);
      const { retried } = await ctx.retries.many(ids.slice(0, max), req.principal?.name ?? null);
      req.auditChange = { count: retried.length, retried: retried.map((r) => r.retryOf) };
      return reply.code(202).send({ count: retried.length, items: retried, more: ids.length > max });
    });

    app.delete('/workers/:id/failed', {
      schema: {
        tags: ['executions'], summary: "Delete a worker's failed runs and their log lines (filters: status, queued time range, error text)",
        params: WorkerParams, querystring: BulkFilters, response: { 200: BulkDeleted, ...errors(400, 403, 404) },
      },
    }, async (req) => {
      const def = ctx.worker(req.params.id);
      assertRange(req.query.from, req.query.to);
      const ids = await ctx.executions.matchingIds(search(def.id, req.query), max + 1);
      const count = await ctx.executions.remove(ids.slice(0, max));
      req.auditChange = { count, deleted: ids.slice(0, max) };
      return { count, more: ids.length > max };
    });
  };
}
