/**
 * Generated bodies, content types, path parameters and query strings against every route the API registers
 * (public, token-protected, docs, dashboard, queue board): no answer is a 5xx, and every error answer is in the
 * table's shape with a code the table lists for that status.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { RouteOptions } from 'fastify';
import { Type } from '@sinclair/typebox';
import { Schedule, ScheduleWorker } from '../../app';
import { errorTable } from '../../app/core/api/errors';
import { asAdmin, asReader, startApiOnly, type ApiHarness } from './api-harness';
import { ROOT } from '../support/child';

@Schedule({ id: 'prop-task', cron: '0 3 * * *', params: Type.Object({ n: Type.Optional(Type.Integer()) }) })
class PropTask extends ScheduleWorker {
  run() {
    return null;
  }
}

/**
 * Documented codes: the core table (docs/api.md) and the codes a plugin documents on its own page
 * (`404 \`SLUICE_RESOURCE_NOT_FOUND\``, `| 404 | \`MARKET_SHOP_NOT_FOUND\``, `\`BALANCE_JOB_NOT_FOUND\` (404)`, in a table row or in text).
 */
function documentedCodes(): Map<string, number> {
  const codes = new Map(errorTable().map((e) => [e.code, e.statusCode]));
  const dir = path.join(ROOT, 'docs');
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.md') && f !== 'api.md')) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    for (const m of text.matchAll(/\b([45]\d\d)\b(?:\s*\|)?\s+`([A-Z][A-Z0-9]*_[A-Z0-9_]+)`/g)) if (!codes.has(m[2])) codes.set(m[2], Number(m[1]));
    for (const m of text.matchAll(/`([A-Z][A-Z0-9]*_[A-Z0-9_]+)`\s*\(([45]\d\d)\b/g)) if (!codes.has(m[1])) codes.set(m[1], Number(m[2]));
  }
  return codes;
}

const TABLE = documentedCodes();
const RUNS_PER_ROUTE = 40;
const routes: Array<{ method: string; url: string }> = [];
let api: ApiHarness;

beforeAll(async () => {
  api = await startApiOnly('every-route', [PropTask], {}, {
    onRoute: (r: RouteOptions) => {
      for (const method of [r.method].flat()) routes.push({ method, url: r.url! });
    },
  });
  // Plugins that keep their data in MongoDB (push) get the embedded server, as in dev mode.
  api.container.configureMongo(true);
});
afterAll(async () => {
  await api?.close();
});

const deepText = fc.integer({ min: 30, max: 3_000 }).map((d) => `${'['.repeat(d)}${']'.repeat(d)}`);
const segment = fc.oneof(
  fc.constantFrom('prop-task', 'nope', '0193a1b2-0000-7000-8000-000000000000', 'API_PAGE_SIZE', '..', '%2e%2e', '%00', '%E0%A4%A', '%', '%zz', '\u00e9', 'a b'),
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
  fc.integer({ min: 100, max: 10_000 }).map((n) => 'x'.repeat(n)),
);
const query = fc.oneof(
  fc.constant(''),
  fc.dictionary(fc.constantFrom('limit', 'cursor', 'status', 'kind', 'level', 'since', 'q', 'workerId', 'token', 'x'), fc.oneof(fc.string({ maxLength: 20 }), fc.integer().map(String)), { maxKeys: 3 })
    .map((d) => `?${new URLSearchParams(d).toString()}`),
  fc.constantFrom('?limit=-1', '?limit=99999', '?cursor=%', '?since=yesterday', '?status=nope&status=failed'),
);
const body = fc.oneof(
  fc.constant({ payload: undefined, type: undefined }),
  fc.jsonValue({ maxDepth: 4 }).map((v) => ({ payload: JSON.stringify(v), type: 'application/json' })),
  fc.record({ params: fc.jsonValue({ maxDepth: 3 }), value: fc.jsonValue({ maxDepth: 3 }), cron: fc.string({ maxLength: 12 }) }, { requiredKeys: [] })
    .map((v) => ({ payload: JSON.stringify(v), type: 'application/json' })),
  deepText.map((t) => ({ payload: `{"params":${t},"value":${t}}`, type: 'application/json' })),
  fc.string({ maxLength: 60 }).map((t) => ({ payload: t, type: 'application/json' })),
  fc.tuple(fc.string({ maxLength: 40 }), fc.constantFrom('text/plain', 'application/xml', 'multipart/form-data', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', ''))
    .map(([payload, type]) => ({ payload, type })),
);
const who = fc.constantFrom(asAdmin, asReader, {}, { authorization: 'Bearer wrong' });

/** Replaces each `:param` (and a trailing `*`) of a route pattern with generated segments. */
function fill(url: string, segments: string[]): string {
  let i = 0;
  return url.replace(/:[A-Za-z_]+|\*/g, () => segments[i++ % segments.length]);
}

describe('every route, generated input', () => {
  it('answers only documented codes in the table shape, never a 5xx', async () => {
    expect(routes.length).toBeGreaterThan(20);
    const unique = [...new Map(routes.filter((r) => r.method !== 'HEAD').map((r) => [`${r.method} ${r.url}`, r])).values()];
    const seen = new Map<string, number>();
    for (const route of unique) {
      const samples = fc.sample(fc.record({ segments: fc.array(segment, { minLength: 1, maxLength: 3 }), query, body, who }), { numRuns: RUNS_PER_ROUTE, seed: 1111 });
      for (const s of samples) {
        const url = fill(route.url, s.segments) + s.query;
        const headers: Record<string, string> = { ...s.who };
        if (s.body.type !== undefined) headers['content-type'] = s.body.type;
        const res = await api.app.inject({ method: route.method as 'GET', url, headers, payload: s.body.payload });
        const what = `${route.method} ${url.slice(0, 120)} [${headers['content-type'] ?? '-'}] ${String(s.body.payload).slice(0, 60)} → ${res.statusCode} ${res.body.slice(0, 200)}`;
        expect(res.statusCode, what).toBeLessThan(500);
        seen.set(String(res.statusCode), (seen.get(String(res.statusCode)) ?? 0) + 1);
        if (res.statusCode < 400) continue;
        let err: Record<string, unknown> = {};
        try {
          err = res.json() as Record<string, unknown>;
        } catch {
          expect.fail(`not JSON: ${what}`);
        }
        expect(Object.keys(err).sort().filter((k) => k !== 'field'), what).toEqual(['code', 'error', 'message', 'statusCode']);
        expect(err.statusCode, what).toBe(res.statusCode);
        expect(TABLE.get(String(err.code)), what).toBe(res.statusCode);
      }
    }
    // The generators reach the limits this test is about.
    for (const status of ['400', '401', '404', '414', '415']) expect(seen.get(status), `no ${status} among ${JSON.stringify([...seen])}`).toBeGreaterThan(0);
  }, 120_000);
});
