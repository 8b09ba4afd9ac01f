import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteOptions } from 'fastify';
import { Schedule, ScheduleWorker } from '../../app';
import { loadPluginRoutes } from '../../app/core/api/plugin-routes';
import { asAdmin, asReader, startApiOnly, type ApiHarness } from './api-harness';
import { eventually } from '../support/isolation';

@Schedule({ id: 'ra-task', description: 'route/auth test task' })
class RaTask extends ScheduleWorker {
  run() {
    return null;
  }
}

const PUBLIC = [/^\/health$/, /^\/ready$/, /^\/docs(\/|$)/, /^\/dashboard(\/|$)/];
/** Plugins' public (webhook) routes: exactly the prefixes their routes.ts declare (test/api/plugin-api.test.ts). */
const publicPrefix = (prefix: string) => new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\/|$)`);
const UNDOCUMENTED = [/^\/docs(\/|$)/, /^\/admin\/queues(\/|$)/];
const MUTATING = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);

const routes: Array<{ method: string; url: string }> = [];
let api: ApiHarness;

/** A concrete URL for a route pattern (valid ids, so auth is what answers). */
function concrete(url: string): string {
  return url.replace(':id', url.startsWith('/executions') ? '0190b7a0-0000-7000-8000-000000000000' : 'ra-task').replace(':key', 'SOME_KEY').replace(':entryId', '1-0').replace('*', 'x');
}

beforeAll(async () => {
  for (const { publicRoutes } of await loadPluginRoutes('workers')) if (publicRoutes) PUBLIC.push(publicPrefix(publicRoutes.prefix));
  api = await startApiOnly('routes', [RaTask], {}, {
    onRoute: (r: RouteOptions) => {
      for (const method of [r.method].flat()) routes.push({ method, url: r.url });
    },
  });
  await api.app.ready();
});

afterAll(async () => {
  await api?.close();
});

describe('registered routes', () => {
  it('every route appears in /docs/json with its method', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const paths = (res.json() as { paths: Record<string, Record<string, unknown>> }).paths;
    const checked = routes.filter((r) => !UNDOCUMENTED.some((p) => p.test(r.url)));
    expect(checked.length).toBeGreaterThan(20);
    for (const r of checked) {
      const openapiPath = r.url.replace(/:(\w+)/g, '{$1}');
      expect(paths[openapiPath], `${r.method} ${r.url} is not in /docs/json`).toBeDefined();
      expect(paths[openapiPath][r.method.toLowerCase()], `${r.method} ${r.url} is not in /docs/json`).toBeDefined();
    }
  });

  it('every non-public route answers 401 without a token and with a wrong one', async () => {
    const guarded = routes.filter((r) => !PUBLIC.some((p) => p.test(r.url)));
    expect(guarded.map((r) => r.url)).toEqual(expect.arrayContaining([
      '/workers', '/ws', '/metrics', '/admin/queues', '/executions', '/executions/:id/retry', '/workers/:id/failed/retry', '/workers/:id/failed',
      '/processes', '/stats', '/audit', '/me', '/configs',
    ]));
    expect(guarded.map((r) => `${r.method} ${r.url}`)).toEqual(expect.arrayContaining(['GET /streams/:id/dead', 'POST /streams/:id/dead/replay', 'DELETE /streams/:id/dead/:entryId']));
    for (const r of guarded) {
      for (const headers of [{}, { authorization: 'Bearer wrong-token' }, { authorization: 'Basic Zm9vOmJhcg==' }]) {
        const res = await api.app.inject({ method: r.method as 'GET', url: concrete(r.url), headers });
        expect(res.statusCode, `${r.method} ${r.url} ${JSON.stringify(headers)}`).toBe(401);
        if (r.method !== 'HEAD') expect(res.json(), `${r.method} ${r.url}`).toMatchObject({ code: 'SLUICE_UNAUTHORIZED' });
      }
    }
  });

  it('read tokens get 403 on every mutating route; admin tokens pass auth', async () => {
    const mutating = routes.filter((r) => MUTATING.has(r.method) && !PUBLIC.some((p) => p.test(r.url)));
    expect(mutating.length).toBeGreaterThanOrEqual(12);
    expect(mutating.map((r) => `${r.method} ${r.url}`)).toEqual(expect.arrayContaining(['POST /streams/:id/dead/replay', 'DELETE /streams/:id/dead/:entryId']));
    for (const r of mutating) {
      const res = await api.app.inject({ method: r.method as 'POST', url: concrete(r.url), headers: asReader, payload: {} });
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(403);
      expect(res.json()).toMatchObject({ code: 'SLUICE_FORBIDDEN' });
    }
    const read = await api.app.inject({ method: 'GET', url: '/workers', headers: asReader });
    expect(read.statusCode).toBe(200);
    const board = await api.app.inject({ method: 'GET', url: '/admin/queues', headers: asReader });
    expect(board.statusCode).toBe(403);
    // The audit trail is admin-only even though it is a GET; the other new read routes are open to read tokens.
    expect((await api.app.inject({ method: 'GET', url: '/audit', headers: asReader })).json()).toMatchObject({ statusCode: 403, code: 'SLUICE_FORBIDDEN' });
    expect((await api.app.inject({ method: 'GET', url: '/audit', headers: asAdmin })).statusCode).toBe(200);
    for (const url of ['/executions', '/processes', '/stats', '/me', '/configs']) {
      expect((await api.app.inject({ method: 'GET', url, headers: asReader })).statusCode, url).toBe(200);
    }
    expect((await api.app.inject({ method: 'GET', url: '/me', headers: asReader })).json()).toEqual({ name: 'viewer', role: 'read' });
    expect((await api.app.inject({ method: 'GET', url: '/admin/queues', headers: asAdmin })).statusCode).toBe(200);
  });

  it('public routes answer without a token and carry helmet headers; CORS is off by default', async () => {
    for (const url of ['/health', '/dashboard', '/dashboard/app.js', '/docs/json']) {
      const res = await api.app.inject({ method: 'GET', url, headers: { origin: 'https://evil.example' } });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
    const page = await api.app.inject({ method: 'GET', url: '/dashboard' });
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('data answers carry the short API set of security headers; documents carry helmet\'s', async () => {
    for (const [url, headers] of [['/health', {}], ['/workers', asReader], ['/workers/nope', asReader]] as const) {
      const res = await api.app.inject({ method: 'GET', url, headers });
      expect(res.headers['content-type'], url).toContain('application/json');
      expect(res.headers['content-security-policy'], url).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(res.headers['x-frame-options'], url).toBe('DENY');
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(res.headers['strict-transport-security'], url).toContain('max-age=');
      expect(res.headers['x-dns-prefetch-control'], url).toBeUndefined();
    }
    for (const url of ['/dashboard', '/dashboard/app.js']) {
      const res = await api.app.inject({ method: 'GET', url });
      expect(res.headers['content-security-policy'], url).toContain("default-src 'self'");
      expect(res.headers['x-frame-options'], url).toBe('SAMEORIGIN');
      expect(res.headers['cross-origin-opener-policy'], url).toBe('same-origin');
    }
  });

  it('the queue board takes ?token= once and keeps it in an HttpOnly cookie', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/admin/queues?token=admin-token-0123456789' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin/queues');
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Path=\/admin\/queues/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const next = await api.app.inject({ method: 'GET', url: '/admin/queues', headers: { cookie: cookie.split(';')[0] } });
    expect(next.statusCode).toBe(200);
    // The board runs inline scripts: its route turns helmet's CSP off and keeps the other headers.
    expect(next.headers['content-security-policy']).toBeUndefined();
    expect(next.headers['x-content-type-options']).toBe('nosniff');
    expect(next.headers['strict-transport-security']).toContain('max-age=');
    // The cookie is only honoured by the board, never by the API.
    expect((await api.app.inject({ method: 'GET', url: '/workers', headers: { cookie: cookie.split(';')[0] } })).statusCode).toBe(401);
  });
});

describe('limits and error bodies', () => {
  it('answers 413 over the body limit and changes nothing', async () => {
    const big = { value: 'x'.repeat(1_100_000) };
    const res = await api.app.inject({ method: 'PUT', url: '/configs/BIG_ONE', headers: asAdmin, payload: big });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'SLUICE_BODY_TOO_LARGE' });
    expect((await api.app.inject({ method: 'GET', url: '/configs/BIG_ONE', headers: asAdmin })).statusCode).toBe(404);
  });

  it('5xx bodies carry no stack trace or internal message', async () => {
    const h = await startApiOnly('err500', [RaTask]);
    h.app.get('/boom', async () => {
      throw new Error('secret internals at /srv/app.ts:12');
    });
    const res = await h.app.inject({ method: 'GET', url: '/boom' });
    await h.close();
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ statusCode: 500, code: 'SLUICE_INTERNAL', error: 'Internal Server Error', message: 'internal error' });
    expect(res.body).not.toMatch(/secret internals|at \//);
  });

  it('rate-limits per client with retry-after, counters shared through Redis', async () => {
    const h = await startApiOnly('ratelimit', [RaTask], { API_RATE_LIMIT_MAX: '3', API_RATE_LIMIT_WINDOW_MS: '60000' });
    try {
      const statuses: number[] = [];
      const remaining: unknown[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await h.app.inject({ method: 'GET', url: '/workers', headers: asAdmin });
        statuses.push(res.statusCode);
        remaining.push(res.headers['x-ratelimit-remaining']);
        expect(res.headers['x-ratelimit-limit']).toBe('3');
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect(remaining).toEqual(['2', '1', '0', '0']);
      const limited = await h.app.inject({ method: 'GET', url: '/workers', headers: asAdmin });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(50);
      expect(Number(limited.headers['x-ratelimit-reset'])).toBe(Number(limited.headers['retry-after']));
      expect(limited.json()).toMatchObject({ statusCode: 429, code: 'SLUICE_RATE_LIMITED' });
      // Unauthenticated attempts count too (token guessing is throttled); health stays outside the limit.
      expect((await h.app.inject({ method: 'GET', url: '/workers' })).statusCode).toBe(429);
      expect((await h.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
      // Counted locally, then added to the shared counter in Redis (API_RATE_LIMIT_SYNC_MS): all six attempts.
      const [key] = await eventually(async () => {
        const keys = await h.container.redis.keys(`${h.container.keys.prefix}rate-limit:*`);
        return keys.length && Number(await h.container.redis.get(keys[0]!)) === 6 ? keys : null;
      }, { what: 'the shared counter to reach 6' });
      expect(await h.container.redis.pttl(key!)).toBeGreaterThan(50_000);
    } finally {
      await h.close();
    }
  });
});
