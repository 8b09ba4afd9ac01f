/** Dead-lettered entries of `@Stream` workers: list (cursor-paginated), replay onto the stream, delete. */
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context';
import { ApiErrors, fieldError } from '../errors';
import { errors, page, pageQuery, WorkerId } from '../schemas/common';
import type { StreamDefinition } from '../../kinds/stream/stream.definition';
import { streamKeys } from '../../kinds/stream/stream.redis';
import { redactSecrets } from '../../services/redact';
import { deleteDead, findDead, listDead, replayAllDead, replayDead } from '../../kinds/stream/dead-letters';

const EntryId = Type.String({ pattern: '^\\d{1,20}-\\d{1,20}$', description: 'A stream entry id (<ms>-<seq>)' });
const StreamParams = Type.Object({ id: WorkerId });

export const DeadEntry = Type.Object({
  id: Type.String({ description: 'Id in the dead-letter stream (replay or delete with it)' }),
  originalId: Type.String({ description: 'Id the entry had on the stream' }),
  fields: Type.Record(Type.String(), Type.String()),
  deliveries: Type.Integer({ description: 'Times the group delivered it before it was dead-lettered' }),
  error: Type.String({ description: 'The last error of its handler' }),
  consumer: Type.String({ description: 'Consumer that dead-lettered it' }),
  deadAt: Type.String(),
}, { $id: 'DeadEntry', title: 'DeadEntry' });

const ReplayBody = Type.Object({
  ids: Type.Optional(Type.Array(EntryId, { minItems: 1, maxItems: 1_000, uniqueItems: true, description: 'Dead entry ids to replay' })),
  all: Type.Optional(Type.Literal(true, { description: 'Replay the whole dead-letter stream' })),
}, { additionalProperties: false, minProperties: 1 });

export function streamsRoutes(ctx: ApiContext) {
  const { API_PAGE_SIZE: size, API_PAGE_MAX: max } = ctx.c.settings;
  const stream = (id: string): StreamDefinition => {
    const def = ctx.worker(id);
    if (def.kind !== 'stream') throw new ApiErrors.NotAStream(def.id, def.kind);
    return def as StreamDefinition;
  };
  const keysOf = (def: StreamDefinition) => streamKeys(ctx.c.keys, def);

  return async (fastify: FastifyInstance): Promise<void> => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.addSchema(DeadEntry);

    app.get('/streams/:id/dead', {
      schema: {
        tags: ['streams'], summary: "A stream worker's dead-lettered entries, oldest first", params: StreamParams,
        querystring: Type.Object(pageQuery(size, max, EntryId), { additionalProperties: false }),
        response: { 200: page(Type.Ref('DeadEntry')), ...errors(400, 404, 409) },
      },
    }, async (req) => {
      const res = await listDead(ctx.c.redis, keysOf(stream(req.params.id)), req.query.limit ?? size, req.query.cursor);
      // Entries carry producers' fields: keys that look secret are masked in the answer (replay uses the stored ones).
      return { ...res, items: res.items.map((i) => ({ ...i, fields: redactSecrets(i.fields) as Record<string, string> })) };
    });

    app.post('/streams/:id/dead/replay', {
      schema: {
        tags: ['streams'], summary: 'Put dead entries back on the stream as new entries (`{ ids }` or `{ all: true }`); they leave the dead stream',
        params: StreamParams, body: ReplayBody,
        response: { 200: Type.Object({ replayed: Type.Integer(), ids: Type.Array(Type.String(), { description: 'New stream ids (empty for all: true)' }) }), ...errors(400, 403, 404, 409, 413) },
      },
    }, async (req) => {
      const def = stream(req.params.id);
      const { ids, all } = req.body;
      if (ids && all) throw fieldError.validation('give either ids or all: true, not both', 'body');
      if (all) return { replayed: await replayAllDead(ctx.c.redis, keysOf(def), max), ids: [] };
      const { found, missing } = await findDead(ctx.c.redis, keysOf(def), ids ?? []);
      if (missing.length) throw new ApiErrors.DeadEntryNotFound(def.id, missing.join(', '));
      const newIds = await replayDead(ctx.c.redis, keysOf(def), found);
      return { replayed: newIds.length, ids: newIds };
    });

    app.delete('/streams/:id/dead/:entryId', {
      schema: {
        tags: ['streams'], summary: 'Delete one dead entry for good', params: Type.Object({ id: WorkerId, entryId: EntryId }),
        response: { 204: Type.Null(), ...errors(400, 403, 404, 409) },
      },
    }, async (req, reply) => {
      const def = stream(req.params.id);
      if (!(await deleteDead(ctx.c.redis, keysOf(def), req.params.entryId))) throw new ApiErrors.DeadEntryNotFound(def.id, req.params.entryId);
      return reply.code(204).send(null);
    });
  };
}
