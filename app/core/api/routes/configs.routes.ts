/** Config rows, global and per worker, and a worker's effective configuration (SPEC §3). */
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context';
import { ApiErrors, fieldError } from '../errors';
import { readConfigRow, settingTypeMismatch } from '../data/config-rows';
import { ConfigKey, errors, IsoDate, WorkerId, WorkerParams } from '../schemas/common';

const ConfigRow = Type.Object({
  key: Type.String(), workerId: Type.Union([Type.String(), Type.Null()]), value: Type.Unknown({ description: 'JSON value; masked when the key looks secret' }),
  secret: Type.Boolean(), updatedAt: IsoDate,
}, { $id: 'ConfigRow', title: 'ConfigRow' });

const ConfigBody = Type.Object({ value: Type.Unknown({ description: 'Any JSON value; typed when the key is a known setting' }) }, { additionalProperties: false, required: ['value'] });

const Effective = Type.Object({
  workerId: Type.String(),
  entries: Type.Array(Type.Object({
    key: Type.String(), value: Type.Unknown(), source: Type.String({ description: 'worker | global | env | default' }), secret: Type.Boolean(),
  })),
});

export { ConfigRow };

export function configsRoutes(ctx: ApiContext) {
  const { c } = ctx;
  const scopes = [
    { prefix: '/configs/:key', params: Type.Object({ key: ConfigKey }), scope: 'global' },
    { prefix: '/workers/:id/configs/:key', params: Type.Object({ id: WorkerId, key: ConfigKey }), scope: 'worker' },
  ] as const;
  return async (fastify: FastifyInstance): Promise<void> => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    for (const s of scopes) {
      const workerOf = (p: { key: string; id?: string }): string | null => (p.id === undefined ? null : ctx.worker(p.id).id);
      const label = (key: string, workerId: string | null): string => (workerId ? `"${key}" of worker "${workerId}"` : `"${key}" (global)`);
      const tags = ['configs'];

      app.get(s.prefix, { schema: { tags, summary: `Read a ${s.scope} config row`, params: s.params, response: { 200: Type.Ref('ConfigRow'), ...errors(400, 404) } } }, async (req) => {
        const workerId = workerOf(req.params);
        const row = await readConfigRow(c.core.pool, req.params.key, workerId);
        if (!row) throw new ApiErrors.ConfigNotFound(label(req.params.key, workerId));
        return row;
      });

      app.put(s.prefix, {
        schema: { tags, summary: `Write a ${s.scope} config row (every process reloads within a second)`, params: s.params, body: ConfigBody, response: { 200: Type.Ref('ConfigRow'), ...errors(400, 403, 404, 413) } },
      }, async (req) => {
        const workerId = workerOf(req.params);
        const mismatch = settingTypeMismatch(req.params.key, req.body.value);
        if (mismatch) throw fieldError.configValue(req.params.key, mismatch);
        await c.config.set(req.params.key, req.body.value, workerId);
        return readConfigRow(c.core.pool, req.params.key, workerId);
      });

      app.delete(s.prefix, { schema: { tags, summary: `Delete a ${s.scope} config row`, params: s.params, response: { 204: Type.Null(), ...errors(400, 403, 404) } } }, async (req, reply) => {
        const workerId = workerOf(req.params);
        if (!(await c.config.remove(req.params.key, workerId))) throw new ApiErrors.ConfigNotFound(label(req.params.key, workerId));
        return reply.code(204).send(null);
      });
    }

    app.get('/workers/:id/config', {
      schema: { tags: ['configs'], summary: "A worker's effective configuration: every key with its value and source; secrets masked", params: WorkerParams, response: { 200: Effective, ...errors(400, 404) } },
    }, async (req) => {
      const def = ctx.worker(req.params.id);
      return { workerId: def.id, entries: c.config.effective(def.id) };
    });
  };
}
