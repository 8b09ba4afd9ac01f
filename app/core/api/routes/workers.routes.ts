/** GET /workers and GET /workers/:id: registry + live state + next fire + last execution. */
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context';
import { ApiErrors } from '../errors';
import { fieldError } from '../errors';
import { errors, page, pageQuery, WorkerId, WorkerParams } from '../schemas/common';
import { workerKinds } from '../../kinds';

/** 400 for a kind no module registered (`?kind=bogus` used to answer an empty list). */
function assertKind(kind: string | undefined): void {
  if (kind === undefined) return;
  const names = workerKinds().map((k) => k.name);
  if (!names.includes(kind)) throw fieldError.validation(`querystring/kind must be one of ${names.join(', ')}`, 'querystring/kind');
}

export function workersRoutes(ctx: ApiContext) {
  const { API_PAGE_SIZE: size, API_PAGE_MAX: max } = ctx.c.settings;
  return async (fastify: FastifyInstance): Promise<void> => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.get('/workers', {
      schema: {
        tags: ['workers'], summary: 'Workers by id with live state, next fire time and last execution (cursor = the last id seen)',
        querystring: Type.Object({
          kind: Type.Optional(Type.String({ minLength: 1, maxLength: 32, description: 'Only workers of this kind (schedule, websocket, stream, or a kind a plugin added); another value is a 400' })),
          ...pageQuery(size, max, WorkerId),
        }, { additionalProperties: false }),
        response: { 200: page(Type.Ref('Worker')), ...errors(400) },
      },
    }, async (req) => {
      const { kind, cursor } = req.query;
      assertKind(kind);
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
