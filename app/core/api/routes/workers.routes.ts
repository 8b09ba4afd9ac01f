/** GET /workers and GET /workers/:id: registry + live state + next fire + last execution. */
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context';
import { ApiErrors } from '../errors';
import { errors, page, pageQuery, StringEnum, WorkerId, WorkerParams } from '../schemas/common';

/** Kinds a worker may have (the `kind` filter refuses anything else with a 400). */
export const WORKER_KINDS = ['schedule', 'websocket', 'stream'] as const;

export function workersRoutes(ctx: ApiContext) {
  const { API_PAGE_SIZE: size, API_PAGE_MAX: max } = ctx.c.settings;
  return async (fastify: FastifyInstance): Promise<void> => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.get('/workers', {
      schema: {
        tags: ['workers'], summary: 'Workers by id with live state, next fire time and last execution (cursor = the last id seen)',
        querystring: Type.Object({
          kind: Type.Optional(StringEnum(WORKER_KINDS, 'Only workers of this kind')),
          ...pageQuery(size, max, WorkerId),
        }, { additionalProperties: false }),
        response: { 200: page(Type.Ref('Worker')), ...errors(400) },
      },
    }, async (req) => {
      const { kind, cursor } = req.query;
      const limit = req.query.limit ?? size;
      const ids = ctx.views.ids().filter((id) => (!kind || ctx.c.registry.get(id)?.kind === kind) && (!cursor || id > cursor));
      const items = await ctx.views.many(ids.slice(0, limit));
      return { items, nextCursor: ids.length > limit && items.length ? items[items.length - 1].id : null };
    });

    app.get('/workers/:id', {
      schema: {
        tags: ['workers'], summary: 'One worker with live state, next fire time and last execution',
        params: WorkerParams, response: { 200: Type.Ref('Worker'), ...errors(400, 404) },
      },
    }, async (req) => {
      const view = await ctx.views.one(req.params.id);
      if (!view) throw new ApiErrors.WorkerNotFound(req.params.id);
      return view;
    });
  };
}
