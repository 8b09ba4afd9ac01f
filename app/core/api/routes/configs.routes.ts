/** Config rows, global and per worker, and a worker's effective configuration (SPEC §3). */
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context';
import { ApiErrors, fieldError } from '../errors';
import { listGlobalRows, readConfigRow, settingTypeMismatch } from '../data/config-rows';
import { workerConfigKeys } from '../data/worker-config-keys';
import { settingDefinitions } from '../../../config/settings';
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
    description: Type.String({ description: 'What the setting does (empty for keys no plugin declared)' }),
    type: Type.String({ description: 'string | int | number | bool | json (json for undeclared keys)' }),
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
        req.auditChange = { previous: (await readConfigRow(c.core.pool, req.params.key, workerId))?.value ?? null };
        await c.config.set(req.params.key, req.body.value, workerId);
        return readConfigRow(c.core.pool, req.params.key, workerId);
      });

      app.delete(s.prefix, { schema: { tags, summary: `Delete a ${s.scope} config row`, params: s.params, response: { 204: Type.Null(), ...errors(400, 403, 404) } } }, async (req, reply) => {
        const workerId = workerOf(req.params);
        req.auditChange = { previous: (await readConfigRow(c.core.pool, req.params.key, workerId))?.value ?? null };
        if (!(await c.config.remove(req.params.key, workerId))) throw new ApiErrors.ConfigNotFound(label(req.params.key, workerId));
        return reply.code(204).send(null);
      });
    }

    app.get('/configs', {
      schema: { tags: ['configs'], summary: 'Every global config row (worker_id NULL); secrets masked', response: { 200: Type.Object({ items: Type.Array(Type.Ref('ConfigRow')) }), ...errors() } },
    }, async () => ({ items: await listGlobalRows(c.core.pool) }));

    app.get('/workers/:id/config', {
      schema: {
        tags: ['configs'], summary: "A worker's effective configuration: its plugin's settings, the core settings it reads and its own rows, with value and source; secrets masked",
        params: WorkerParams, response: { 200: Effective, ...errors(400, 404) },
      },
    }, async (req) => {
      const def = ctx.worker(req.params.id);
      const keys = workerConfigKeys(def, c.settings.WORKERS_DIR);
      const defs = settingDefinitions();
      // Undeclared keys (ad-hoc global rows) belong to no plugin, so they may be read by any worker: shown too.
      const entries = c.config.effective(def.id).filter((e) => e.source === 'worker' || keys.has(e.key) || !defs.has(e.key))
        .map((e) => ({ ...e, description: defs.get(e.key)?.description ?? '', type: defs.get(e.key)?.type ?? 'json' }));
      return { workerId: def.id, entries };
    });
  };
}
