/** Run history: a worker's executions (cursor-paginated), one execution, its log lines. */
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context';
import { ApiErrors } from '../errors';
import { errors, ExecutionId, ExecutionParams, page, pageQuery, WorkerParams } from '../schemas/common';
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
