/**
 * Security headers everywhere, and CORS only for the origins API_CORS_ORIGINS lists (off when empty).
 *
 * The headers are helmet's (its defaults, or a route's `config.helmet` options, `false` for none), computed once
 * per distinct configuration (on a route's first request), and set on each reply by one onRequest hook. The
 * @fastify/helmet plugin builds a new helmet middleware for every request instead (re-parsing the CSP
 * directives), which cost about a fifth of a cached 304's time; the headers a client sees are the same.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import cors from '@fastify/cors';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** helmet options for this route, merged over the defaults; `false` sends no security headers. */
    helmet?: HelmetOptions | false;
  }
}

type HeaderSet = Readonly<Record<string, string>>;

/** The headers helmet's middleware sets for `options`, captured once from a stand-in response. */
export function helmetHeaders(options: HelmetOptions): HeaderSet {
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: unknown) => { headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value); },
    removeHeader: (name: string) => { delete headers[name.toLowerCase()]; },
  };
  let failure: unknown = null;
  helmet(options)({} as never, res as never, (err?: unknown) => { failure = err ?? null; });
  if (failure) throw failure instanceof Error ? failure : new Error(String(failure));
  return Object.freeze(headers);
}

export async function registerSecurityHeaders(app: FastifyInstance, corsOrigins: string): Promise<void> {
  const defaults = helmetHeaders({});
  const byConfig = new Map<string, HeaderSet>();
  const headersFor = (options: HelmetOptions | false | undefined): HeaderSet | null => {
    if (options === false) return null;
    if (options === undefined) return defaults;
    const key = JSON.stringify(options);
    let set = byConfig.get(key);
    if (!set) byConfig.set(key, (set = helmetHeaders(options)));
    return set;
  };
  // Resolved on a route's first request (its config is final by then: the queue board sets its own in an onRoute
  // hook), then only copied.
  const perRoute = new WeakMap<object, HeaderSet | null>();
  app.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done) => {
    const config = req.routeOptions.config;
    let set = perRoute.get(config);
    if (set === undefined) perRoute.set(config, (set = headersFor(config.helmet)));
    if (set) reply.headers(set);
    done();
  });
  const origins = corsOrigins.split(',').map((s) => s.trim()).filter(Boolean);
  if (origins.length) {
    await app.register(cors, { origin: origins, allowedHeaders: ['authorization', 'content-type'], methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'], maxAge: 600 });
  }
}
