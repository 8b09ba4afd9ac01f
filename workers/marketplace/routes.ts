/**
 * Control routes of the marketplace plugin, mounted at /plugins/marketplace: shops (credentials write-only) and
 * syncs (start, progress by chunk, retry the failed chunks).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { PluginApi, PluginRoutes } from '../../app';
import { assertTimeZone, daysIn, parseIsoDate } from '../../plugins/date-range';
import { PlatformParam } from './params';
import { marketplaceService } from './service';
import type { PlatformName } from './platforms/types';
import { CHUNK_WORKER, SYNC_WORKER } from './sync.service';
import { chunkView, SyncView, syncView } from './views';

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD (in each shop\'s timezone)' });
const Problem = Type.Object({ statusCode: Type.Integer(), code: Type.String(), error: Type.String(), message: Type.String(), field: Type.Optional(Type.String()) });
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });
const Credentials = Type.Object({
  accessToken: Type.String({ minLength: 1, maxLength: 4096 }), refreshToken: Type.String({ minLength: 1, maxLength: 4096 }),
  accessExpiresAt: Type.Optional(Type.String({ format: 'date-time' })),
}, { additionalProperties: false, description: 'Write-only: never shown by any route' });
const ShopFields = {
  channelId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), region: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2}$' })),
  timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })), name: Type.Optional(Type.String({ maxLength: 200 })),
  shopCipher: Type.Optional(Type.String({ maxLength: 200 })), enabled: Type.Optional(Type.Boolean()),
};
const ShopBody = Type.Object({ platform: PlatformParam, shopId: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' }), ...ShopFields, credentials: Type.Optional(Credentials) }, { additionalProperties: false });
const ShopPatch = Type.Object(ShopFields, { additionalProperties: false });
const ShopView = Type.Object({
  id: Type.String(), platform: Type.String(), shopId: Type.String(), channelId: Type.String(), region: Type.String(), timeZone: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]), enabled: Type.Boolean(),
  credentials: Type.Object({ set: Type.Boolean(), accessExpiresAt: Type.Union([Type.String(), Type.Null()]), updatedAt: Type.Union([Type.String(), Type.Null()]) }),
  createdAt: Type.String(), updatedAt: Type.String(),
});
const SyncBody = Type.Object({ platform: Type.Optional(PlatformParam), shopIds: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: 1000 })), from: Day, to: Day }, { additionalProperties: false });
const MAX_RANGE_DAYS = 3_660;

const PROBLEMS = {
  MARKET_INVALID_INPUT: { statusCode: 400, error: 'Bad Request' },
  MARKET_SHOP_NOT_FOUND: { statusCode: 404, error: 'Not Found' },
  MARKET_SYNC_NOT_FOUND: { statusCode: 404, error: 'Not Found' },
  MARKET_NO_SHOPS: { statusCode: 409, error: 'Conflict' },
  MARKET_NOTHING_TO_RETRY: { statusCode: 409, error: 'Conflict' },
} as const;

function problem(reply: FastifyReply, code: keyof typeof PROBLEMS, message: string, field?: string): FastifyReply {
  const { statusCode, error } = PROBLEMS[code];
  return reply.code(statusCode).send({ statusCode, code, error, message, ...(field ? { field } : {}) });
}

function service(api: PluginApi) {
  return marketplaceService({ mongo: () => api.mongo(), redis: api.redis, config: api.config, logger: api.logger, publish: (t, d) => api.publish(t, d) });
}

/** A calendar-date range check; the message names the field. */
function rangeProblem(from: string, to: string): { field: string; message: string } | null {
  for (const [field, v] of [['body/from', from], ['body/to', to]] as const) {
    try {
      parseIsoDate(v);
    } catch (err) {
      return { field, message: `${field}: ${(err as Error).message}` };
    }
  }
  if (from > to) return { field: 'body/to', message: `body/to: ${to} is before body/from ${from}` };
  if (daysIn(from, to).length > MAX_RANGE_DAYS) return { field: 'body/to', message: `body/to: a sync covers at most ${MAX_RANGE_DAYS} days; split the range` };
  return null;
}

const routes: PluginRoutes = async (app, { api }) => {
  // The plugin keeps everything in MongoDB: in a process without it (no MONGO_URL outside dev) its routes do not
  // exist (the core's 404); when MongoDB is configured but down, 503.
  app.addHook('preHandler', async (_req, reply) => {
    try {
      await api.mongo();
    } catch (err) {
      if (/not configured/i.test((err as Error).message)) return reply.callNotFound();
      return reply.code(503).send({ statusCode: 503, code: 'MARKET_MONGO_UNAVAILABLE', error: 'Service Unavailable', message: `MongoDB is unavailable: ${(err as Error).message}` });
    }
  });
  app.get('/shops', {
    schema: { tags: ['marketplace'], summary: 'Shops (credentials are never shown)', querystring: Type.Object({ platform: Type.Optional(PlatformParam) }), response: { 200: Type.Object({ shops: Type.Array(ShopView) }) } },
  }, async (req) => {
    const { platform } = req.query as { platform?: PlatformName };
    return { shops: await (await service(api)).shops.list(platform ? { platform } : {}) };
  });

  app.post('/shops', {
    schema: { tags: ['marketplace'], summary: 'Add or update a shop (201 created, 200 updated); credentials are write-only', body: ShopBody, response: { 200: ShopView, 201: ShopView, 400: Problem } },
  }, async (req, reply) => {
    const body = req.body as { platform: PlatformName; shopId: string; timeZone?: string; credentials?: { accessToken: string; refreshToken: string; accessExpiresAt?: string } };
    if (body.timeZone) {
      try {
        assertTimeZone(body.timeZone);
      } catch (err) {
        return problem(reply, 'MARKET_INVALID_INPUT', `body/timeZone: ${(err as Error).message}`, 'body/timeZone');
      }
    }
    const { view, created } = await (await service(api)).shops.upsert(body);
    return reply.code(created ? 201 : 200).send(view);
  });

  app.get('/shops/:id', {
    schema: { tags: ['marketplace'], summary: 'One shop', params: IdParams, response: { 200: ShopView, 404: Problem } },
  }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const shop = await (await service(api)).shops.get(id);
    return shop ?? problem(reply, 'MARKET_SHOP_NOT_FOUND', `no shop "${id}"`);
  });

  app.patch('/shops/:id', {
    schema: { tags: ['marketplace'], summary: 'Change a shop (enable/disable, channel, region, timezone)', params: IdParams, body: ShopPatch, response: { 200: ShopView, 400: Problem, 404: Problem } },
  }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const svc = await service(api);
    const shop = await svc.shops.get(id);
    if (!shop) return problem(reply, 'MARKET_SHOP_NOT_FOUND', `no shop "${id}"`);
    const body = req.body as { timeZone?: string };
    if (body.timeZone) {
      try {
        assertTimeZone(body.timeZone);
      } catch (err) {
        return problem(reply, 'MARKET_INVALID_INPUT', `body/timeZone: ${(err as Error).message}`, 'body/timeZone');
      }
    }
    return (await svc.shops.upsert({ ...body, platform: shop.platform, shopId: shop.shopId })).view;
  });

  app.put('/shops/:id/credentials', {
    schema: { tags: ['marketplace'], summary: 'Replace a shop\'s tokens (write-only; 204)', params: IdParams, body: Credentials, response: { 204: Type.Null(), 404: Problem } },
  }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const svc = await service(api);
    const shop = await svc.shops.get(id);
    if (!shop) return problem(reply, 'MARKET_SHOP_NOT_FOUND', `no shop "${id}"`);
    await svc.shops.upsert({ platform: shop.platform, shopId: shop.shopId, credentials: req.body as { accessToken: string; refreshToken: string } });
    return reply.code(204).send();
  });

  app.delete('/shops/:id', {
    schema: { tags: ['marketplace'], summary: 'Remove a shop (its synced documents stay)', params: IdParams, response: { 204: Type.Null(), 404: Problem } },
  }, async (req, reply) => {
    const { id } = req.params as { id: string };
    if (!(await (await service(api)).shops.remove(id))) return problem(reply, 'MARKET_SHOP_NOT_FOUND', `no shop "${id}"`);
    return reply.code(204).send();
  });

  app.post('/syncs', {
    schema: { tags: ['marketplace'], summary: 'Sync shops over a date range (202: chunks are queued)', body: SyncBody, response: { 202: Type.Object({ syncId: Type.String(), shops: Type.Integer() }), 400: Problem, 409: Problem } },
  }, async (req, reply) => {
    const body = req.body as { platform?: PlatformName; shopIds?: string[]; from: string; to: string };
    const bad = rangeProblem(body.from, body.to);
    if (bad) return problem(reply, 'MARKET_INVALID_INPUT', bad.message, bad.field);
    const svc = await service(api);
    if (body.shopIds) {
      const known = new Set((await svc.shops.list()).map((s) => s.id));
      const unknown = body.shopIds.filter((id) => !known.has(id));
      if (unknown.length) return problem(reply, 'MARKET_INVALID_INPUT', `body/shopIds: no shop ${unknown.slice(0, 5).map((u) => `"${u}"`).join(', ')}`, 'body/shopIds');
    }
    const shops = await svc.shops.refs({ platform: body.platform, ids: body.shopIds });
    if (!shops.length) return problem(reply, 'MARKET_NO_SHOPS', 'no enabled shop matches (add one with POST /plugins/marketplace/shops)');
    const syncId = `sync-${new Date().toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`;
    await svc.syncLog.createSync({ _id: syncId, trigger: 'api', platform: body.platform ?? null, shop_ids: body.shopIds ?? [], from: body.from, to: body.to });
    await api.trigger(SYNC_WORKER, { syncId, ...body }, { jobId: `mkt-sync:${syncId}` });
    return reply.code(202).send({ syncId, shops: shops.length });
  });

  app.get('/syncs', {
    schema: { tags: ['marketplace'], summary: 'Syncs, newest first', querystring: Type.Object({ platform: Type.Optional(PlatformParam), limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }) }), response: { 200: Type.Object({ syncs: Type.Array(SyncView) }) } },
  }, async (req) => {
    const { platform, limit } = req.query as { platform?: PlatformName; limit: number };
    return { syncs: (await (await service(api)).syncLog.listSyncs(limit, platform)).map((s) => syncView(s)) };
  });

  app.get('/syncs/:id', {
    schema: { tags: ['marketplace'], summary: 'A sync: progress by chunk, counts per entity, API calls, problem days', params: IdParams, response: { 200: SyncView, 404: Problem } },
  }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const svc = await service(api);
    const sync = await svc.syncLog.getSync(id);
    if (!sync) return problem(reply, 'MARKET_SYNC_NOT_FOUND', `no sync "${id}"`);
    return syncView(sync, await svc.syncLog.chunksOf(id));
  });

  app.post('/syncs/:id/retry-failed', {
    schema: { tags: ['marketplace'], summary: 'Run the failed chunks of a sync again (202)', params: IdParams, response: { 202: Type.Object({ syncId: Type.String(), chunks: Type.Integer() }), 404: Problem, 409: Problem } },
  }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const svc = await service(api);
    const sync = await svc.syncLog.getSync(id);
    if (!sync) return problem(reply, 'MARKET_SYNC_NOT_FOUND', `no sync "${id}"`);
    const failed = await svc.syncLog.reopenFailed(id);
    if (!failed.length) return problem(reply, 'MARKET_NOTHING_TO_RETRY', `sync "${id}" has no failed chunk (status ${sync.status})`);
    // A new job id per retry: the first run's job id is still held by Bull's failed-job history.
    const stamp = Date.now();
    await api.enqueueMany(CHUNK_WORKER, failed.map((c) => ({ params: { chunkId: c._id }, jobId: `mkt-chunk:${c._id}:retry-${c.runs}-${stamp}` })));
    return reply.code(202).send({ syncId: id, chunks: failed.length });
  });
};

export default routes;
