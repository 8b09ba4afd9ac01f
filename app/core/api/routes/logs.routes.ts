/** GET /logs: search log lines across runs by worker, execution, level, time range and text. */
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context';
import { fieldError } from '../errors';
import { searchLogs } from '../data/logs.query';
import { errors, StringEnum, ExecutionId, IsoDate, page, pageQuery, WorkerId } from '../schemas/common';
import { LOG_LEVELS } from '../schemas/workers';

export function logsRoutes(ctx: ApiContext) {
  const { API_PAGE_SIZE: size, API_PAGE_MAX: max } = ctx.c.settings;
  return async (fastify: FastifyInstance): Promise<void> => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.get('/logs', {
      schema: {
        tags: ['logs'], summary: 'Search log lines, newest first (cursor = the last log id seen)',
        querystring: Type.Object({
          workerId: Type.Optional(WorkerId),
          executionId: Type.Optional(ExecutionId),
          level: Type.Optional(Type.Array(StringEnum(LOG_LEVELS), { maxItems: LOG_LEVELS.length, description: 'Only these levels (repeat for several)' })),
          since: Type.Optional(IsoDate),
          until: Type.Optional(IsoDate),
          q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Substring of the message' })),
          ...pageQuery(size, max, Type.Integer({ minimum: 1 })),
        }, { additionalProperties: false }),
        response: { 200: page(Type.Ref('LogLine')), ...errors(400) },
      },
    }, async (req) => {
      const q = req.query;
      if (q.since && q.until && Date.parse(q.since) > Date.parse(q.until)) throw fieldError.validation('querystring/since must not be after until', 'querystring/since');
      return searchLogs(ctx.c.core.pool, {
        workerId: q.workerId, executionId: q.executionId, levels: q.level, since: q.since, until: q.until, q: q.q, cursor: q.cursor, limit: q.limit ?? size,
      });
    });
  };
}
