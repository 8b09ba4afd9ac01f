/**
 * Security headers everywhere, and CORS only for the origins API_CORS_ORIGINS lists (off when empty).
 *
 * Two sets, after OWASP's REST Security Cheat Sheet: documents (HTML, and scripts, whose CSP governs a worker they
 * start) get helmet's headers (its defaults, or a route's `config.helmet` options, `false` for none); every other
 * answer (JSON, 304, errors) gets the short API set below, which forbids rendering and framing outright. The
 * browser-document headers (a long CSP, COOP, Origin-Agent-Cluster, X-DNS-Prefetch-Control, X-Download-Options,
 * X-Permitted-Cross-Domain-Policies, X-XSS-Protection) do nothing on a JSON answer, and every header costs a
 * cached 304 about half a microsecond to validate and write.
 *
 * The sets are computed once per distinct configuration and added by one onSend hook (the answer's content type is
 * known there); a header the route set itself is kept. The @fastify/helmet plugin builds a new helmet middleware
 * for every request instead (re-parsing the CSP directives), which cost about a fifth of a cached 304's time.
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

/** What a non-document answer carries: nothing on it may be rendered, framed or sniffed. */
export const API_SECURITY_HEADERS: HeaderSet = Object.freeze({
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cross-origin-resource-policy': 'same-origin',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
});

/** HTML and JavaScript are rendered or run by a browser; everything else is data. */
function isDocument(contentType: unknown): boolean {
  if (typeof contentType !== 'string') return false;
  return contentType.startsWith('text/html') || contentType.includes('javascript');
}

function addMissing(reply: FastifyReply, set: HeaderSet): void {
  for (const name in set) if (!reply.hasHeader(name)) reply.header(name, set[name]);
}

export async function registerSecurityHeaders(app: FastifyInstance, corsOrigins: string): Promise<void> {
  const defaults = helmetHeaders({});
  const byConfig = new Map<string, HeaderSet>();
  const helmetFor = (options: HelmetOptions): HeaderSet => {
    const key = JSON.stringify(options);
    let set = byConfig.get(key);
    if (!set) byConfig.set(key, (set = helmetHeaders(options)));
    return set;
  };
  // A route's own helmet options, resolved on its first request (its config is final by then: the queue board
  // sets its own in an onRoute hook), then only looked up.
  const perRoute = new WeakMap<object, HeaderSet | null>();
  app.addHook('onSend', (req: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: null, payload: unknown) => void) => {
    const config = req.routeOptions.config;
    if (config.helmet === undefined) {
      addMissing(reply, isDocument(reply.getHeader('content-type')) ? defaults : API_SECURITY_HEADERS);
    } else {
      let set = perRoute.get(config);
      if (set === undefined) perRoute.set(config, (set = config.helmet === false ? null : helmetFor(config.helmet)));
      if (set) addMissing(reply, set);
    }
    done(null, payload);
  });
  const origins = corsOrigins.split(',').map((s) => s.trim()).filter(Boolean);
  if (origins.length) {
    await app.register(cors, { origin: origins, allowedHeaders: ['authorization', 'content-type'], methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'], maxAge: 600 });
  }
}
