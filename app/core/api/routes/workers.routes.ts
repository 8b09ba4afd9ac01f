/** GET /workers and GET /workers/:id: registry + live state + next fire + last execution. */
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context';
import { ApiErrors } from '../errors';
import { errors, WorkerParams } from '../schemas/common';

export function workersRoutes(ctx: ApiContext) {
  return async (fastify: FastifyInstance): Promise<void> => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.get('/workers', {
      schema: {
        tags: ['workers'], summary: 'Every worker with live state, next fire time and last execution',
        querystring: Type.Object({ kind: Type.Optional(Type.String({ description: 'Only workers of this kind (schedule, websocket, stream)', maxLength: 32 })) }),
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('Worker')) }), ...errors(400) },
      },
    }, async (req) => {
      const items = await ctx.views.many(ctx.views.ids());
      return { items: req.query.kind ? items.filter((w) => w.kind === req.query.kind) : items };
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
