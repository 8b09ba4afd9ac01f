/**
 * Generated malformed input against every mutating route: only 4xx answers, and no row or Redis key changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Type } from '@sinclair/typebox';
import type { RowDataPacket } from 'mysql2/promise';
import { Schedule, ScheduleWorker } from '../../app';
import { assertCron, isValidTimezone } from '../../app/core/registry/cron';
import { asAdmin, startApiOnly, type ApiHarness } from './api-harness';

@Schedule({ id: 'fz-task', cron: '0 3 * * *', params: Type.Object({ n: Type.Integer() }, { additionalProperties: false }) })
class FzTask extends ScheduleWorker<{ n: number }> {
  run() {
    return null;
  }
}

const RUNS = 200;
let api: ApiHarness;

beforeAll(async () => {
  api = await startApiOnly('badinput', [FzTask]);
  await api.app.inject({ method: 'PUT', url: '/configs/FZ_EXISTING', headers: asAdmin, payload: { value: { keep: true } } });
  await api.app.inject({ method: 'PUT', url: '/workers/fz-task/configs/FZ_EXISTING', headers: asAdmin, payload: { value: 1 } });
});

afterAll(async () => {
  await api?.close();
});

/** Every row of the core tables and every Redis key of this deployment (rate-limit counters and heartbeats aside). */
async function snapshot(): Promise<string> {
  const { pool } = api.container.core;
  const tables: Record<string, unknown> = {};
  for (const t of ['workers', 'worker_configs', 'worker_status', 'executions']) {
    const [rows] = await pool.query<RowDataPacket[]>(`SELECT * FROM ${t} ORDER BY 1`);
    tables[t] = rows;
  }
  const { redis, keys } = api.container;
  const all = (await redis.keys(`${keys.prefix}*`)).filter((k) => !k.startsWith(`${keys.prefix}rate-limit:`) && !k.startsWith(`${keys.prefix}processes`)).sort();
  const values: Record<string, unknown> = {};
  for (const k of all) {
    const type = await redis.type(k);
    values[k] = type === 'hash' ? await redis.hgetall(k) : type === 'string' ? await redis.get(k) : type === 'zset' ? await redis.zrange(k, 0, -1, 'WITHSCORES') : type === 'list' ? await redis.lrange(k, 0, -1) : type === 'set' ? (await redis.smembers(k)).sort() : type;
  }
  return JSON.stringify({ tables, values });
}

type Input = { body: string | undefined; contentType: string | undefined };

const json = fc.jsonValue({ maxDepth: 3 });
const malformedText = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('{', '{"a":', '[1,', 'nul', '{"value":}', '\u0000', '{"params":{"n":1}'));
const wrongType = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.string({ maxLength: 20 }), fc.array(json, { maxLength: 3 }));
const extraKey = fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !['params', 'cron', 'timezone', 'value', '__proto__'].includes(k));

/** Malformed bodies common to every route: bad JSON text, wrong content types, non-object JSON. */
const anyBadBody: fc.Arbitrary<Input> = fc.oneof(
  malformedText.map((t) => ({ body: t, contentType: 'application/json' })),
  json.map((v) => ({ body: JSON.stringify(v), contentType: 'text/plain' })),
  wrongType.map((v) => ({ body: JSON.stringify(v), contentType: 'application/json' })),
  fc.tuple(extraKey, json).map(([k, v]) => ({ body: JSON.stringify({ [k]: v }), contentType: 'application/json' })),
);

const asJson = (v: unknown): Input => ({ body: JSON.stringify(v), contentType: 'application/json' });
const invalidCron = fc.string({ minLength: 1, maxLength: 30 }).filter((s) => {
  try {
    assertCron(s, 'UTC');
    return false;
  } catch {
    return true;
  }
});
const invalidTz = fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !isValidTimezone(s));
// '.' and '..' are left out: clients resolve them as path segments (a request for another route, not a bad id).
const badId = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('%2E%2E', '%00', 'fz-task%2F..', 'x'.repeat(200), "'; DROP TABLE workers; --")).filter((s) => !['fz-task', '.', '..'].includes(s));

const routeCases: Array<{ name: string; method: 'POST' | 'PUT' | 'DELETE'; gen: fc.Arbitrary<{ url: string } & Input> }> = [
  ...['trigger', 'enable', 'disable', 'stop', 'start', 'restart'].map((action) => ({
    name: `POST /workers/:id/${action}`, method: 'POST' as const,
    gen: fc.oneof(
      anyBadBody.map((b) => ({ url: `/workers/fz-task/${action}`, ...b })),
      badId.map((id) => ({ url: `/workers/${encodeURIComponent(id)}/${action}`, ...asJson({}) })),
      ...(action === 'trigger' ? [
        fc.oneof(wrongType, fc.record({ n: fc.oneof(fc.string(), fc.double({ noInteger: true }), fc.constant(null)) }), fc.record({ n: fc.integer(), extra: json }))
          .map((params) => ({ url: '/workers/fz-task/trigger', ...asJson({ params }) })),
      ] : []),
    ),
  })),
  {
    name: 'PUT /workers/:id/schedule', method: 'PUT',
    gen: fc.oneof(
      anyBadBody.map((b) => ({ url: '/workers/fz-task/schedule', ...b })),
      invalidCron.map((cron) => ({ url: '/workers/fz-task/schedule', ...asJson({ cron }) })),
      invalidTz.map((timezone) => ({ url: '/workers/fz-task/schedule', ...asJson({ cron: '* * * * *', timezone }) })),
      fc.record({ cron: wrongType.filter((v) => v !== null && typeof v !== 'string') }).map((b) => ({ url: '/workers/fz-task/schedule', ...asJson(b) })),
      fc.constant({ url: '/workers/fz-task/schedule', ...asJson({}) }),
      badId.map((id) => ({ url: `/workers/${encodeURIComponent(id)}/schedule`, ...asJson({ cron: '* * * * *' }) })),
    ),
  },
  ...['/configs/', '/workers/fz-task/configs/'].flatMap((prefix) => [
    {
      name: `PUT ${prefix}:key`, method: 'PUT' as const,
      gen: fc.oneof(
        anyBadBody.map((b) => ({ url: `${prefix}FZ_NEW`, ...b })),
        fc.tuple(json, extraKey, json).map(([value, k, v]) => ({ url: `${prefix}FZ_NEW`, ...asJson({ value, [k]: v }) })),
        fc.oneof(fc.string(), fc.double({ noInteger: true }), fc.boolean(), fc.constant(null), fc.array(fc.integer())).map((value) => ({ url: `${prefix}API_PAGE_SIZE`, ...asJson({ value }) })),
        fc.oneof(fc.integer(), fc.boolean(), fc.constant(null)).map((value) => ({ url: `${prefix}LOG_LEVEL`, ...asJson({ value }) })),
        fc.string({ minLength: 1, maxLength: 30 }).filter((k) => !/^[A-Za-z0-9_.-]+$/.test(k)).map((k) => ({ url: `${prefix}${encodeURIComponent(k)}`, ...asJson({ value: 1 }) })),
      ),
    },
    {
      name: `DELETE ${prefix}:key`, method: 'DELETE' as const,
      gen: fc.oneof(
        fc.string({ minLength: 1, maxLength: 30 }).map((k) => ({ url: `${prefix}${encodeURIComponent(`NOPE_${k}`)}`, body: undefined, contentType: undefined })),
        malformedText.map((t) => ({ url: `${prefix}FZ_EXISTING`, body: t, contentType: 'application/json' })),
      ),
    },
  ]),
  {
    name: 'PUT /workers/:id/configs/:key (unknown worker)', method: 'PUT',
    gen: badId.map((id) => ({ url: `/workers/${encodeURIComponent(id)}/configs/FZ_NEW`, ...asJson({ value: 1 }) })),
  },
];

describe('malformed input changes nothing', () => {
  it.each(routeCases.map((c) => [c.name, c] as const))('%s answers 4xx to generated bad input', async (_name, c) => {
    const before = await snapshot();
    const samples = fc.sample(c.gen, { numRuns: RUNS, seed: 4242 });
    const statuses = new Map<number, number>();
    for (const s of samples) {
      const headers: Record<string, string> = { ...asAdmin };
      if (s.contentType) headers['content-type'] = s.contentType;
      const res = await api.app.inject({ method: c.method, url: s.url, headers, payload: s.body });
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      expect(res.statusCode, `${c.method} ${s.url} ${String(s.body).slice(0, 80)} → ${res.body.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, `${c.method} ${s.url} ${String(s.body).slice(0, 80)} → ${res.body.slice(0, 200)}`).toBeLessThan(500);
      expect(res.json(), s.url).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    }
    expect(await snapshot()).toBe(before);
  });
});
