/** GET /audit (admin tokens only): who changed what through the API, newest first. */
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context';
import type { AuditLog } from '../data/audit-log';
import { errors, IsoDate, page, pageQuery, WorkerId } from '../schemas/common';
import { assertRange } from './failed-runs.routes';

const AuditEntry = Type.Object({
  id: Type.Integer(), ts: IsoDate,
  tokenName: Type.String(), role: Type.String(), method: Type.String(),
  route: Type.String({ description: 'Route pattern, e.g. /workers/:id/trigger' }), url: Type.String(),
  workerId: Type.Union([Type.String(), Type.Null()]), statusCode: Type.Integer({ description: 'The answer (refused attempts are recorded too)' }),
  change: Type.Unknown({ description: '{ params, body?, query?, result? } with secrets masked; result is what the route changed (ids, counts, previous value)' }),
});

export function auditRoutes(ctx: ApiContext, audit: AuditLog) {
  const { API_PAGE_SIZE: size, API_PAGE_MAX: max } = ctx.c.settings;
  return async (fastify: FastifyInstance): Promise<void> => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.get('/audit', {
      config: { adminOnly: true },
      schema: {
        tags: ['auth'], summary: 'The audit trail of every mutation: token name, time, route, change (admin tokens only)',
        querystring: Type.Object({
          tokenName: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
          workerId: Type.Optional(WorkerId),
          since: Type.Optional(IsoDate), until: Type.Optional(IsoDate),
          ...pageQuery(size, max, Type.Integer({ minimum: 1 })),
        }, { additionalProperties: false }),
        response: { 200: page(AuditEntry), ...errors(400, 403) },
      },
    }, async (req) => {
      const q = req.query;
      assertRange(q.since, q.until, 'querystring', ['since', 'until']);
      return audit.list({ tokenName: q.tokenName, workerId: q.workerId, since: q.since, until: q.until, cursor: q.cursor, limit: q.limit ?? size });
    });
  };
}
