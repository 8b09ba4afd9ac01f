/**
 * Run history: a worker's executions (cursor-paginated), the run search across workers, one execution, its log
 * lines, retrying a failed run and deleting a finished one.
 */
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context';
import { ApiErrors } from '../errors';
import { errors, ExecutionId, ExecutionParams, NoBody, page, pageQuery, WorkerParams } from '../schemas/common';
import { RetryAccepted, SearchFilters } from '../schemas/executions';
import { optionalBody } from './worker-control.routes';
import { assertRange } from './failed-runs.routes';
import { ExecutionStatus } from '../schemas/workers';

export function executionsRoutes(ctx: ApiContext) {
  const { API_PAGE_SIZE: size, API_PAGE_MAX: max } = ctx.c.settings;
  return async (fastify: FastifyInstance): Promise<void> => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

    app.get('/workers/:id/executions', {
      schema: {
        tags: ['executions'], summary: "A worker's executions, newest first",
        params: WorkerParams,
        querystring: Type.Object({
          status: Type.Optional(Type.Array(ExecutionStatus, { description: 'Only these statuses (repeat the parameter for several)', maxItems: 7 })),
          ...pageQuery(size, max, ExecutionId),
        }, { additionalProperties: false }),
        response: { 200: page(Type.Ref('Execution')), ...errors(400, 404) },
      },
    }, async (req) => {
      const def = ctx.worker(req.params.id);
      return ctx.executions.list(def.id, { statuses: req.query.status, cursor: req.query.cursor, limit: req.query.limit ?? size });
    });

    app.get('/executions', {
      schema: {
        tags: ['executions'], summary: 'Search runs across workers by worker, status, queued time range and error text, newest first',
        querystring: Type.Object({ ...SearchFilters, ...pageQuery(size, max, ExecutionId) }, { additionalProperties: false }),
        response: { 200: page(Type.Ref('Execution')), ...errors(400, 404) },
      },
    }, async (req) => {
      const q = req.query;
      if (q.workerId) ctx.worker(q.workerId);
      assertRange(q.from, q.to);
      return ctx.executions.search(
        { workerId: q.workerId, statuses: q.status, from: q.from, to: q.to, q: q.q, retried: q.retried },
        { cursor: q.cursor, limit: q.limit ?? size },
      );
    });

    app.post('/executions/:id/retry', {
      preValidation: optionalBody,
      schema: {
        tags: ['executions'], summary: 'Re-run a failed, timed-out or cancelled execution with its params (a new execution, trigger retry)',
        params: ExecutionParams, body: NoBody, response: { 202: RetryAccepted, ...errors(400, 403, 404, 409) },
      },
    }, async (req, reply) => {
      const out = await ctx.retries.one(req.params.id, req.principal?.name ?? null);
      req.auditChange = { ...out };
      return reply.code(202).send(out);
    });

    app.delete('/executions/:id', {
      schema: {
        tags: ['executions'], summary: 'Delete a finished execution and its log lines',
        params: ExecutionParams, response: { 204: Type.Null(), ...errors(400, 403, 404, 409) },
      },
    }, async (req, reply) => {
      const row = await ctx.executions.get(req.params.id);
      if (!row) throw new ApiErrors.ExecutionNotFound(req.params.id);
      if (row.status === 'queued' || row.status === 'running') throw new ApiErrors.ExecutionActive(row.id, row.status);
      req.auditChange = { workerId: row.workerId, deleted: [row.id] };
      await ctx.executions.remove([row.id]);
      return reply.code(204).send(null);
    });

    app.get('/executions/:id', {
      schema: { tags: ['executions'], summary: 'One execution', params: ExecutionParams, response: { 200: Type.Ref('Execution'), ...errors(400, 404) } },
    }, async (req) => {
      const row = await ctx.executions.get(req.params.id);
      if (!row) throw new ApiErrors.ExecutionNotFound(req.params.id);
      return row;
    });

    app.get('/executions/:id/logs', {
      schema: {
        tags: ['executions'], summary: "An execution's log lines in the order they were logged (ts, then id)",
        params: ExecutionParams,
        querystring: Type.Object(pageQuery(size, max, Type.String({ pattern: '^\\d{1,15}\\.\\d{1,20}$', description: 'nextCursor of the previous page' })), { additionalProperties: false }),
        response: { 200: page(Type.Ref('LogLine')), ...errors(400, 404) },
      },
    }, async (req) => {
      if (!(await ctx.executions.get(req.params.id))) throw new ApiErrors.ExecutionNotFound(req.params.id);
      return ctx.executions.logs(req.params.id, { cursor: req.query.cursor, limit: req.query.limit ?? size });
    });
  };
}
