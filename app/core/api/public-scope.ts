/**
 * Plugins' public routes (`routes.ts` → `export const publicRoutes`): routes that verify their caller themselves,
 * e.g. HMAC-signed webhooks. They live in their own scope outside the token check, with the API's body limit and
 * error body, their own rate limit (PUBLIC_RATE_LIMIT_MAX per PUBLIC_RATE_LIMIT_WINDOW_MS, counted apart from the
 * token routes), and the unparsed body as `req.rawBody` for signature checks.
 */
import type { FastifyBodyParser, FastifyInstance, FastifyRequest } from 'fastify';
import type { Container } from '../runtime/container';
import { pluginApis, shownFile } from '../plugins';
import type { LoadedPluginRoutes } from './plugin-routes';
import { registerRateLimit } from './rate-limit';
import { DepthLimitError, jsonTextTooDeep } from '../services/redact';

/** First path segment of a route (`/workers/:id` → `workers`). */
export function firstSegment(url: string): string {
  return url.split('/').filter(Boolean)[0] ?? '';
}

/**
 * Bodies are read as a Buffer (within API_BODY_LIMIT_BYTES, 413 above) and kept as `req.rawBody`: JSON is parsed
 * as elsewhere in the API (proto-poisoning refused); any other content type reaches the route as the Buffer itself,
 * for the plugin to parse after checking its signature.
 */
function keepRawBodies(app: FastifyInstance, maxDepth: number): void {
  const json = app.getDefaultJsonParser('error', 'error') as unknown as FastifyBodyParser<Buffer>;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req: FastifyRequest, body: Buffer, done) => {
    req.rawBody = body;
    // As for every JSON body of the API (body-parsers.ts); latin1 keeps the ASCII brackets and quotes where they are.
    if (jsonTextTooDeep(body.toString('latin1'), maxDepth + 1)) return done(new DepthLimitError('request body (below its top-level object)', maxDepth, 'body'), undefined);
    return json.call(app, req, body, done);
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (req: FastifyRequest, body: Buffer, done) => {
    req.rawBody = body;
    done(null, body);
  });
}

/** Whether a public prefix lies inside the plugin's own `/plugins/<folder>` mount. */
export function withinOwnMount(prefix: string, folder: string): boolean {
  const own = `/plugins/${folder}`;
  return prefix === own || prefix.startsWith(`${own}/`);
}

/**
 * Mounts every plugin's public routes. `taken` holds the first path segments of the core's and the token-guarded
 * routes: a public prefix may not share one, so no public route can sit beside (or shadow) a guarded one.
 */
export function publicScope(c: Container, loaded: readonly LoadedPluginRoutes[], taken: ReadonlySet<string>) {
  return async (app: FastifyInstance): Promise<void> => {
    const mounts = loaded.filter((l) => l.publicRoutes);
    if (!mounts.length) return;
    for (const { folder, file, publicRoutes } of mounts) {
      // A plugin may serve public files under its own mount (a browser ES module, a Service Worker script: neither
      // can send a token). Nothing there belongs to another plugin or the core, and Fastify refuses a public route
      // that duplicates one of the plugin's guarded ones.
      if (withinOwnMount(publicRoutes!.prefix, folder)) continue;
      const segment = firstSegment(publicRoutes!.prefix);
      if (taken.has(segment) || segment === 'plugins') throw new Error(`${shownFile(file)}: publicRoutes.prefix ${publicRoutes!.prefix} collides with the API's /${segment} routes; choose another prefix (e.g. /webhooks)`);
    }
    keepRawBodies(app, c.settings.JSON_MAX_DEPTH);
    await registerRateLimit(app, c, { max: c.settings.PUBLIC_RATE_LIMIT_MAX, windowMs: c.settings.PUBLIC_RATE_LIMIT_WINDOW_MS, name: 'public-rate-limit' });
    app.addHook('onRoute', (route) => {
      if (route.schema && !route.schema.hide) route.schema = { ...route.schema, tags: route.schema.tags ?? ['public'] };
    });
    for (const { folder, publicRoutes } of mounts) {
      await app.register(publicRoutes!.plugin, { prefix: publicRoutes!.prefix, api: pluginApis(c).get(folder) });
    }
  };
}
