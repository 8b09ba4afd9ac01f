/**
 * Routes of the resources plugin, mounted at /plugins/resources behind the bearer token (GET: read tokens; POST:
 * admin — the core's auth requires admin for every non-GET route of the scope). The browser client and its
 * Service Worker are public (publicRoutes): an ES module `import` and a Service Worker script cannot send a token.
 *
 * fulldata bodies are gzip-compressed once per version (payload.ts) and handed to @fastify/compress, which passes
 * an already-gzipped body through for clients that accept gzip and inflates it for those that do not
 * (`inflateIfDeflated`); compressing 100s of KB per request would cost milliseconds of CPU each.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import compress from '@fastify/compress';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PluginRoutes, PublicRoutes } from '../../app';
import { datasetEtag, noneMatch, tableEtag } from './http-cache';
import type { LoadOutcome, ResourceService } from './resource-service';
import { resourcesFor } from './runtime';
import type { VersionRow } from './version-store';

const Problem = Type.Object({ statusCode: Type.Integer(), code: Type.String(), error: Type.String(), message: Type.String(), field: Type.Optional(Type.String()) });
const VersionView = Type.Object({
  name: Type.String(), description: Type.String(), idField: Type.String(), version: Type.Integer(), hash: Type.String(),
  rows: Type.Integer(), bytes: Type.Integer(), compressedBytes: Type.Integer(), updatedAt: Type.String({ format: 'date-time' }), bumpedBy: Type.String(),
});
const ChangeView = Type.Object({ ...VersionView.properties, changed: Type.Boolean() });
const NameParams = Type.Object({ name: Type.String({ pattern: '^[a-z][a-z0-9_-]{0,63}$', description: 'resource name' }) });
const FulldataQuery = Type.Object({ v: Type.Optional(Type.Integer({ minimum: 1, description: 'the version from the version table' })) });

function view(service: ResourceService, row: VersionRow) {
  const def = service.definition(row.name);
  return { ...row, description: def.description, idField: def.idField, updatedAt: row.updatedAt.toISOString() };
}

/** Who a change is recorded against: the token's name (the core's auth sets req.principal). */
function caller(req: FastifyRequest): string {
  return req.principal ? `token:${req.principal.name}` : 'api';
}

/**
 * `v` = the current version: the body with `Cache-Control` RESOURCES_CACHE_CONTROL (immutable: a `?v=N` URL always
 * holds version N). Any other `v` — missing, older, or unknown — gets the current version's body with
 * `Cache-Control: no-cache` and `X-Resource-Version: <current>`, so nothing stores it as version N. (Not a redirect:
 * a page served over plain http under helmet's `upgrade-insecure-requests` would follow it to https and fail.)
 * Both answer `If-None-Match` with 304.
 */
function fulldata(service: ResourceService, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> | undefined {
  const { name } = req.params as { name: string };
  const { v } = req.query as { v?: number };
  service.definition(name);
  // A revalidation of the current version, with the version row trusted in memory: answered without a promise.
  const known = v === undefined ? undefined : service.trusted(name, v);
  if (known && v === known.version && noneMatch(req.headers['if-none-match'], datasetEtag(known))) {
    cacheHeaders(service, reply, known, true).code(304).send();
    return undefined;
  }
  return answer(service, req, reply, name, v);
}

async function answer(service: ResourceService, req: FastifyRequest, reply: FastifyReply, name: string, v: number | undefined): Promise<FastifyReply> {
  const row = await service.current(name, v ?? 0);
  const ifNoneMatch = req.headers['if-none-match'];
  if (v === row.version && noneMatch(ifNoneMatch, datasetEtag(row))) return cacheHeaders(service, reply, row, true).code(304).send();
  // On a cache miss the loader may find new content and move the version: the answer is then that version's.
  const ds = await service.dataset(name);
  const immutable = v === ds.row.version;
  if (noneMatch(ifNoneMatch, datasetEtag(ds.row))) return cacheHeaders(service, reply, ds.row, immutable).code(304).send();
  return cacheHeaders(service, reply, ds.row, immutable).type('application/json; charset=utf-8').send(ds.body);
}

/** The validators and caching rule of an answer about `row` (200 and 304 alike). */
function cacheHeaders(service: ResourceService, reply: FastifyReply, row: VersionRow, immutable: boolean): FastifyReply {
  return reply.header('etag', datasetEtag(row)).header('vary', 'accept-encoding').header('x-resource-version', String(row.version))
    .header('cache-control', immutable ? service.settings.cacheControl : 'no-cache');
}

/**
 * The body is gzip already: @fastify/compress's one-call path passes it through (and sets its length), so no size
 * may send it down the stream path instead (a pipeline per response, measured at a third of the throughput).
 */
const FULLDATA_COMPRESS = { encodings: ['gzip' as const], inflateIfDeflated: true, threshold: 0, syncThreshold: Number.MAX_SAFE_INTEGER };

const routes: PluginRoutes = async (app, { api }) => {
  const service = await resourcesFor(api);
  await app.register(compress, { global: true, encodings: ['gzip'], inflateIfDeflated: true, threshold: 1_024 });

  // '' (not '/'): the table is /plugins/resources exactly, one route and one OpenAPI path.
  app.get('', {
    schema: { tags: ['resources'], summary: 'The version table: every resource with its current version (ETag; 304 on If-None-Match)', response: { 200: Type.Array(VersionView), 304: Type.Null({ description: 'not modified' }) } },
  }, async (req, reply) => {
    const rows = await service.list();
    const etag = tableEtag(rows);
    reply.header('etag', etag).header('cache-control', 'no-cache');
    if (noneMatch(req.headers['if-none-match'], etag)) return reply.code(304).send();
    return rows.map((r) => view(service, r));
  });

  app.get('/:name/fulldata', {
    schema: {
      tags: ['resources'], summary: 'The whole dataset (gzip; ETag; immutable when v is the current version, otherwise the current data with no-cache)',
      params: NameParams, querystring: FulldataQuery, response: { 404: Problem, 503: Problem },
    },
    // Threshold 0: a small dataset's gzip body must still be labelled gzip (or inflated), never sent as is.
    compress: FULLDATA_COMPRESS,
  }, (req, reply) => fulldata(service, req, reply));

  const change = (what: 'refresh' | 'bump') => async (req: FastifyRequest) => {
    const { name } = req.params as { name: string };
    const out: LoadOutcome = what === 'refresh' ? await service.refresh(name, caller(req)) : await service.bump(name, caller(req));
    return { ...view(service, out.row), changed: out.changed };
  };
  app.post('/:name/refresh', {
    schema: { tags: ['resources'], summary: 'Reload; bump the version only if the content changed (admin)', params: NameParams, response: { 200: ChangeView, 404: Problem, 409: Problem, 503: Problem } },
  }, change('refresh'));
  app.post('/:name/bump', {
    schema: { tags: ['resources'], summary: 'Reload and bump the version whatever the content (admin)', params: NameParams, response: { 200: ChangeView, 404: Problem, 409: Problem, 503: Problem } },
  }, change('bump'));
};

export default routes;

const CLIENT_DIR = path.join(__dirname, 'client');

/** Read once at boot; the ETag lets a browser revalidate the module cheaply. */
function staticFile(file: string): { body: string; etag: string } {
  const body = fs.readFileSync(path.join(CLIENT_DIR, file), 'utf8');
  return { body, etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 24)}"` };
}

export const publicRoutes: PublicRoutes = {
  prefix: '/plugins/resources',
  plugin: async (app) => {
    const files = [
      { url: '/client.js', ...staticFile('resources-client.js'), extra: {} },
      // A worker script may control pages outside its own folder only when the server allows it.
      { url: '/sw.js', ...staticFile('resources-sw.js'), extra: { 'service-worker-allowed': '/' } },
    ];
    for (const f of files) {
      app.get(f.url, { schema: { tags: ['resources'], summary: `Browser ${f.url.slice(1)} (public)`, security: [] } }, async (req, reply) => {
        reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').header('etag', f.etag).headers(f.extra);
        if (noneMatch(req.headers['if-none-match'], f.etag)) return reply.code(304).send();
        return reply.send(f.body);
      });
    }
  },
};
