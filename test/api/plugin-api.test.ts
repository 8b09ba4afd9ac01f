/**
 * The PluginApi through the real API: a fixture plugin (test/fixtures/plugins/probe) whose routes use every
 * member, its public HMAC-signed route outside the token scope, and the routes that must stay guarded.
 */
import { createHmac } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, RouteOptions } from 'fastify';
import type { RowDataPacket } from 'mysql2/promise';
import { buildApiApp } from '../../app/core/api/app';
import { Container } from '../../app/core/runtime/container';
import { pluginApis } from '../../app/core/plugins';
import { EventBus, type SluiceEvent } from '../../app/core/services/events';
import { ROOT } from '../support/child';
import { eventLog } from '../support/event-log';
import { createTestEnv, eventually, type TestEnv } from '../support/isolation';
import { API_ENV, asAdmin, asReader } from './api-harness';

const WORKERS = path.relative(ROOT, path.resolve(__dirname, '../fixtures/plugins'));
const PUBLIC = [/^\/health$/, /^\/ready$/, /^\/docs(\/|$)/, /^\/dashboard(\/|$)/, /^\/probe-hooks(\/|$)/];
const SECRET = 'probe-test-secret';
const BODY_LIMIT = 4_096;

let t: TestEnv;
let c: Container;
let app: FastifyInstance;
const routes: Array<{ method: string; url: string }> = [];
const events = eventLog<SluiceEvent>();

const sign = (body: string) => createHmac('sha256', SECRET).update(body).digest('hex');
const signed = (payload: string, contentType = 'application/json') => app.inject({
  method: 'POST', url: '/probe-hooks/signed', payload, headers: { 'content-type': contentType, 'x-probe-signature': sign(payload) },
});

async function rowsOf(ids: string[]): Promise<RowDataPacket[]> {
  const [rows] = await c.core.pool.query<RowDataPacket[]>('SELECT id, status, job_id FROM executions WHERE id IN (?)', [ids]);
  return rows;
}

beforeAll(async () => {
  t = createTestEnv('plugin_api', {
    ...API_ENV, WORKERS_DIR: WORKERS, EXECUTION_FLUSH_INTERVAL_MS: '20', LOG_FLUSH_INTERVAL_MS: '20', API_BODY_LIMIT_BYTES: String(BODY_LIMIT),
    PUBLIC_RATE_LIMIT_MAX: '20', PUBLIC_RATE_LIMIT_WINDOW_MS: '60000', PROBE_WEBHOOK_SECRET: SECRET, PROBE_GREETING: 'hi from the test',
  });
  t.env.PROBE_DB_URL = t.databaseUrl;
  c = new Container({ role: 'test', env: { ...process.env, ...t.env }, console: false });
  c.configureMongo(true);
  await c.init();
  await c.mirror.seedRegistry(c.registry);
  await EventBus.subscribe(c.redisFactory.create('test:events', { blocking: true }), c.keys.events, (e) => events.push(e));
  app = await buildApiApp(c, { onRoute: (r: RouteOptions) => [r.method].flat().forEach((method) => routes.push({ method, url: r.url })) });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await c?.close();
  await t?.cleanup();
});

describe('PluginApi members, through the fixture plugin routes', () => {
  it('name, config and the registry view', async () => {
    const res = await app.inject({ method: 'GET', url: '/plugins/probe/info', headers: asReader });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      name: 'probe', greeting: 'hi from the test', workers: ['probe-task'], hasMissing: false,
      task: { id: 'probe-task', kind: 'schedule', description: 'probe fixture task', file: expect.stringMatching(/fixtures\/plugins\/probe\/probe\.worker\.ts$/), enabled: true },
    });
  });

  it('trigger returns the execution id and records it queued; a jobId given twice is one job and one row', async () => {
    const first = await app.inject({ method: 'POST', url: '/plugins/probe/trigger', headers: asAdmin, payload: { params: { n: 1 } } });
    expect(first.statusCode).toBe(202);
    const { executionId } = first.json() as { executionId: string };
    const [a, b] = await Promise.all([1, 2].map(() => app.inject({ method: 'POST', url: '/plugins/probe/trigger', headers: asAdmin, payload: { params: { n: 2 }, jobId: 'probe:once' } })));
    const once = (a.json() as { executionId: string }).executionId;
    expect((b.json() as { executionId: string }).executionId).toBe(once);
    await eventually(async () => (await rowsOf([executionId, once])).length === 2, { what: 'queued rows' });
    const [rows] = await c.core.pool.query<RowDataPacket[]>("SELECT id, status FROM executions WHERE job_id = 'probe:once'");
    expect(rows).toEqual([expect.objectContaining({ id: once, status: 'queued' })]);
    expect(await c.queues.get('probe-task').getJob('probe:once')).toMatchObject({ data: { executionId: once, params: { n: 2 } } });
    const bad = await app.inject({ method: 'POST', url: '/plugins/probe/trigger', headers: asAdmin, payload: { params: { n: 'x' } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'SLUICE_INVALID_PARAMS' });
  });

  it('enqueueMany: ids in order, one row per distinct job, bad params enqueue nothing', async () => {
    const jobs = [{ params: { n: 1 } }, { params: { n: 2 }, jobId: 'probe:bulk-a' }, { params: { n: 3 }, jobId: 'probe:bulk-a' }, { params: { n: 4 }, delayMs: 60_000 }];
    const res = await app.inject({ method: 'POST', url: '/plugins/probe/bulk', headers: asAdmin, payload: { jobs } });
    expect(res.statusCode).toBe(202);
    const ids = (res.json() as { executionIds: string[] }).executionIds;
    expect(ids).toHaveLength(4);
    expect(ids[2]).toBe(ids[1]);
    expect(new Set(ids).size).toBe(3);
    await eventually(async () => (await rowsOf(ids)).length === 3, { what: 'bulk rows' });
    expect((await rowsOf(ids)).every((r) => r.status === 'queued')).toBe(true);
    expect(await (await c.queues.get('probe-task').getJob(ids[3]))?.isDelayed()).toBe(true);
    const before = await c.queues.get('probe-task').count();
    const bad = await app.inject({ method: 'POST', url: '/plugins/probe/bulk', headers: asAdmin, payload: { jobs: [{ params: { n: 5 } }, { params: { n: 'six' } }] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/jobs\[1\]/);
    expect(await c.queues.get('probe-task').count()).toBe(before);
  });

  it('publish reaches the event channel tagged with the plugin; core namespaces are refused', async () => {
    const res = await app.inject({ method: 'POST', url: '/plugins/probe/publish', headers: asAdmin, payload: { hello: 'world' } });
    expect(res.statusCode).toBe(202);
    const e = await events.next((x) => x.type === 'probe.ping', 10_000, () => 'no probe.ping event');
    expect(e.data).toEqual({ hello: 'world', plugin: 'probe' });
    expect(() => pluginApis(c).get('probe').publish('execution.finished', { workerId: 'probe-task' })).toThrow(/core's "execution\." namespace/);
  });

  it('logger lines are stored and tagged with the plugin', async () => {
    expect((await app.inject({ method: 'POST', url: '/plugins/probe/log', headers: asAdmin, payload: { text: 'hi' } })).statusCode).toBe(202);
    const row = await eventually(async () => {
      const [rows] = await c.core.pool.query<RowDataPacket[]>("SELECT message, meta FROM execution_logs WHERE message = 'probe says hi'");
      return rows[0];
    }, { what: 'the plugin log line' });
    expect(row.meta).toMatchObject({ plugin: 'probe', from: 'probe-route' });
  });

  it('mongo(), database(name) and the prefixed Redis client', async () => {
    const mongo = await app.inject({ method: 'POST', url: '/plugins/probe/mongo', headers: asAdmin, payload: { id: 'a', value: 42 } });
    expect(mongo.json()).toEqual({ doc: { _id: 'a', value: 42 } });
    const db = await app.inject({ method: 'GET', url: '/plugins/probe/db', headers: asAdmin });
    expect(db.json()).toEqual({ db: t.name, two: 2 });
    const redis = await app.inject({ method: 'PUT', url: '/plugins/probe/redis/greeting', headers: asAdmin, payload: { value: 'xin chao' } });
    expect(redis.json()).toEqual({ key: 'greeting', value: 'xin chao' });
    expect(await c.redis.get(`${t.redisPrefix}plugin:probe:greeting`)).toBe('xin chao');
    expect(await c.redis.get('greeting')).toBeNull();
  });
});

describe('public routes', () => {
  it('answer without a token, with the raw body for the signature check', async () => {
    const payload = JSON.stringify({ event: 'order.paid', id: 7 });
    const res = await signed(payload);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ accepted: true, bytes: Buffer.byteLength(payload), body: { event: 'order.paid', id: 7 } });
    // A content type the API does not parse reaches the route as the raw bytes.
    const form = await signed('a=1&b=2', 'application/x-www-form-urlencoded');
    expect(form.json()).toMatchObject({ accepted: true, body: 'a=1&b=2' });
    const forged = await app.inject({ method: 'POST', url: '/probe-hooks/signed', payload, headers: { 'content-type': 'application/json', 'x-probe-signature': sign('other') } });
    expect(forged.statusCode).toBe(401);
  });

  it('keep the error table: 413 over the body limit, 400 on malformed JSON, 404 off their routes', async () => {
    const big = JSON.stringify({ blob: 'x'.repeat(BODY_LIMIT) });
    const tooBig = await signed(big);
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.json()).toEqual({ statusCode: 413, code: 'SLUICE_BODY_TOO_LARGE', error: 'Payload Too Large', message: `request body is larger than ${BODY_LIMIT} bytes` });
    const malformed = await signed('{"event":');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ statusCode: 400, code: 'SLUICE_MALFORMED_BODY' });
    const missing = await app.inject({ method: 'POST', url: '/probe-hooks/nope', payload: '{}', headers: { 'content-type': 'application/json' } });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'SLUICE_ROUTE_NOT_FOUND' });
  });

  it("the plugin's other routes and every core route still answer 401 without a token", async () => {
    const guarded = routes.filter((r) => !PUBLIC.some((p) => p.test(r.url)));
    expect(guarded.map((r) => r.url)).toEqual(expect.arrayContaining(['/workers', '/ws', '/metrics', '/plugins/probe/info', '/plugins/probe/bulk', '/plugins/probe/redis/:key']));
    for (const r of guarded) {
      const url = r.url.replace(':id', '0190b7a0-0000-7000-8000-000000000000').replace(':key', 'K').replace('*', 'x');
      const res = await app.inject({ method: r.method as 'GET', url, payload: r.method === 'GET' || r.method === 'HEAD' ? undefined : {} });
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(401);
    }
    expect(routes.filter((r) => r.url.startsWith('/probe-hooks')).map((r) => `${r.method} ${r.url}`)).toEqual(['POST /probe-hooks/signed']);
  });

  it('a route with config.rateLimit has its own limit, counted apart from the scope\'s', async () => {
    // The route census above may have spent one of its two already (unauthenticated attempts count too).
    const codes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await app.inject({ method: 'GET', url: '/plugins/probe/scarce', headers: asReader });
      codes.push(r.statusCode);
      expect(r.headers['x-ratelimit-limit']).toBe('2');
    }
    expect(codes.filter((c) => c === 200).length).toBeGreaterThanOrEqual(1);
    expect(codes.slice(-1)).toEqual([429]);
    expect(codes.join()).toMatch(/^(200,)+429(,429)*$/);
    const info = await app.inject({ method: 'GET', url: '/plugins/probe/info', headers: asReader });
    expect(info.statusCode).toBe(200);
    expect(Number(info.headers['x-ratelimit-limit'])).toBeGreaterThan(2);
  });

  it('a burst gets 429 in the table shape, counted apart from the token routes', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push((await signed(JSON.stringify({ i }))).statusCode);
    expect(statuses).toContain(200);
    expect(statuses.slice(-3)).toEqual([429, 429, 429]);
    const limited = await signed('{}');
    expect(limited.headers['retry-after']).toBeDefined();
    expect(limited.json()).toMatchObject({ statusCode: 429, code: 'SLUICE_RATE_LIMITED', error: 'Too Many Requests' });
    expect((await app.inject({ method: 'GET', url: '/plugins/probe/info', headers: asReader })).statusCode).toBe(200);
  });
});
