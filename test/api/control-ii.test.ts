/** Control API II: retry, bulk actions on failed runs, run search, /processes, /stats, audit, params schema, config view, fixes. */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { defineSettings, Schedule, ScheduleWorker, type RunContext } from '../../app';
import { ProcessHeartbeat } from '../../app/core/services/process-heartbeat';
import { discoverWorkers } from '../../app/core/registry/discovery';
import { buildRegistry } from '../../app/core/registry/worker-registry';
import { workerConfigKeys } from '../../app/core/api/data/worker-config-keys';
import { eventually } from '../support/isolation';
import { ROOT } from '../support/child';
import { asAdmin, asReader, connectWs, startApiWithWorker, type ApiHarness } from './api-harness';
import type { Harness } from '../support/harness';

defineSettings({ C2_PAGE_LIMIT: { type: 'int', default: 7, description: 'test setting of this plugin folder' } });

@Schedule({ id: 'c2-flaky', description: 'fails when asked to, except when retried (a transient failure)' })
class FlakyWorker extends ScheduleWorker<{ fail?: string }> {
  async run(ctx: RunContext<{ fail?: string }>) {
    if (ctx.params.fail && ctx.trigger !== 'retry') throw new Error(ctx.params.fail);
    return { ok: true };
  }
}

const release: Array<() => void> = [];
@Schedule({ id: 'c2-slow', description: 'runs until the test releases it', overlap: 'allow', concurrency: 2 })
class SlowWorker extends ScheduleWorker {
  async run(ctx: RunContext) {
    await ctx.progress(10);
    await new Promise<void>((resolve) => release.push(resolve));
    return { slow: true };
  }
}

@Schedule({
  id: 'c2-params', description: 'declares a params schema',
  params: Type.Object({ shopId: Type.String({ minLength: 1 }), days: Type.Integer({ minimum: 1, maximum: 30 }), dryRun: Type.Optional(Type.Boolean()) }),
})
class ParamsWorker extends ScheduleWorker {
  run() {
    return null;
  }
}

let api: ApiHarness & { h: Harness };
let url: string;

beforeAll(async () => {
  api = await startApiWithWorker('control2', [FlakyWorker, SlowWorker, ParamsWorker], { PROCESS_HEARTBEAT_MS: '200', PROCESS_TTL_MS: '1000', API_BULK_MAX: '2' });
  url = await api.listen();
});

afterAll(async () => {
  for (const r of release.splice(0)) r();
  await api?.close();
});

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
const inject = (method: Method, p: string, payload?: unknown, headers = asAdmin) =>
  api.app.inject({ method, url: p, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

async function runFlaky(fail?: string): Promise<string> {
  const res = await inject('POST', '/workers/c2-flaky/trigger', { params: fail ? { fail } : {} });
  expect(res.statusCode).toBe(202);
  const id = (res.json() as { executionId: string }).executionId;
  await api.h.executionIn(id, [fail ? 'failed' : 'succeeded']);
  return id;
}

describe('retry', () => {
  it('re-runs a failed execution as a new one with trigger retry, linked both ways, once', async () => {
    const original = await runFlaky('boom: upstream 502');
    const res = await inject('POST', `/executions/${original}/retry`);
    expect(res.statusCode).toBe(202);
    const { executionId, retryOf } = res.json() as { executionId: string; retryOf: string };
    expect(retryOf).toBe(original);
    const retry = await api.h.executionIn(executionId, ['succeeded']);
    expect(retry).toMatchObject({ trigger: 'retry', parent_execution_id: original, triggered_by: 'ops' });
    expect((await inject('GET', `/executions/${executionId}`)).json()).toMatchObject({ params: { fail: 'boom: upstream 502' }, result: { ok: true } });
    expect((await inject('GET', `/executions/${original}`)).json()).toMatchObject({ retriedAs: executionId, triggeredBy: 'ops' });

    expect((await inject('POST', `/executions/${original}/retry`)).json()).toMatchObject({ statusCode: 409, code: 'SLUICE_ALREADY_RETRIED' });
    const ok = await runFlaky();
    expect((await inject('POST', `/executions/${ok}/retry`)).json()).toMatchObject({ statusCode: 409, code: 'SLUICE_NOT_RETRYABLE' });
    expect((await inject('POST', '/executions/0190b7a0-0000-7000-8000-000000000000/retry')).statusCode).toBe(404);
    expect((await inject('POST', `/executions/${executionId}/retry`, {}, asReader)).statusCode).toBe(403);
  });

  it('the failed run keeps its stack in its error log line', async () => {
    const id = await runFlaky('stack please');
    const logs = await eventually(async () => {
      const page = (await inject('GET', `/executions/${id}/logs`)).json() as { items: Array<{ level: string; meta: { stack?: string } | null }> };
      return page.items.find((l) => l.level === 'error');
    });
    expect(logs.meta?.stack).toMatch(/Error: stack please\n\s+at /);
  });
});

describe('bulk actions over failed runs', () => {
  it('retries and deletes the failed runs matching a time range and error text, answering the counts', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const timeouts = [await runFlaky('gateway timeout A'), await runFlaky('gateway timeout B'), await runFlaky('gateway timeout C')];
    const other = await runFlaky('invalid signature');
    const search = (await inject('GET', `/executions?workerId=c2-flaky&status=failed&q=gateway%20timeout&from=${since}`)).json() as { items: Array<{ id: string }> };
    expect(search.items.map((x) => x.id).sort()).toEqual([...timeouts].sort());

    // API_BULK_MAX=2: the first call retries two (oldest first) and says more matched; the second takes the rest.
    const first = await inject('POST', '/workers/c2-flaky/failed/retry', { q: 'gateway timeout', from: since });
    expect(first.statusCode).toBe(202);
    expect(first.json()).toMatchObject({ count: 2, more: true });
    const second = (await inject('POST', '/workers/c2-flaky/failed/retry', { q: 'gateway timeout', from: since })).json() as { count: number; items: Array<{ retryOf: string; executionId: string }> };
    expect(second.count).toBe(1);
    const retries = [...(first.json() as { items: Array<{ retryOf: string; executionId: string }> }).items, ...second.items];
    expect(retries.map((r) => r.retryOf).sort()).toEqual([...timeouts].sort());
    for (const r of retries) await api.h.executionIn(r.executionId, ['succeeded']);

    const to = new Date(Date.now() + 1000).toISOString();
    const del = await inject('DELETE', `/workers/c2-flaky/failed?q=invalid%20signature&from=${since}&to=${to}`);
    expect(del.json()).toEqual({ count: 1, more: false });
    expect((await inject('GET', `/executions/${other}`)).statusCode).toBe(404);
    expect((await inject('GET', `/executions/${timeouts[0]}`)).statusCode).toBe(200);
    expect((await inject('DELETE', `/workers/c2-flaky/failed?from=${to}&to=${since}`)).json()).toMatchObject({ statusCode: 400, field: 'querystring/from' });
  });

  it('deletes one finished run, refuses a running one', async () => {
    const done = await runFlaky('to be deleted');
    expect((await inject('DELETE', `/executions/${done}`)).statusCode).toBe(204);
    expect((await inject('DELETE', `/executions/${done}`)).statusCode).toBe(404);
    const slow = (await inject('POST', '/workers/c2-slow/trigger')).json() as { executionId: string };
    await api.h.executionIn(slow.executionId, ['running']);
    expect((await inject('DELETE', `/executions/${slow.executionId}`)).json()).toMatchObject({ statusCode: 409, code: 'SLUICE_EXECUTION_ACTIVE' });
    release.shift()?.();
    await api.h.executionIn(slow.executionId, ['succeeded']);
  });
});

describe('GET /processes', () => {
  it('lists the API and worker processes with what they serve and run; a silent one disappears within the TTL', async () => {
    const slow = (await inject('POST', '/workers/c2-slow/trigger')).json() as { executionId: string };
    await api.h.executionIn(slow.executionId, ['running']);
    const list = await eventually(async () => {
      const items = (await inject('GET', '/processes')).json().items as Array<Record<string, unknown>>;
      const worker = items.find((p) => p.role === 'worker');
      return worker && worker.jobsRunning === 1 ? items : undefined;
    }, { what: 'the worker reporting one running job' });
    const worker = list.find((p) => p.role === 'worker')!;
    expect(worker).toMatchObject({ pid: process.pid, version: '0.1.0', queues: ['c2-flaky', 'c2-params', 'c2-slow'], listeners: [] });
    expect(Date.parse(String(worker.lastHeartbeatAt))).toBeGreaterThan(Date.now() - 5_000);
    expect(list.some((p) => p.role === 'api')).toBe(true);
    release.shift()?.();

    const ghost = new ProcessHeartbeat(api.container.redis, api.container.keys, 'beat', () => ({}), { intervalMs: 100, ttlMs: 1000, onError: (e) => { throw e; } });
    await ghost.start();
    const ids = async () => ((await inject('GET', '/processes')).json().items as Array<{ id: string }>).map((p) => p.id);
    expect(await ids()).toContain(ghost.id);
    await ghost.stop(false); // dies without saying goodbye
    const gone = Date.now();
    await eventually(async () => !(await ids()).includes(ghost.id), { timeoutMs: 3_000, what: 'the silent process to disappear' });
    expect(Date.now() - gone).toBeLessThan(2_500);
  });
});

describe('GET /stats', () => {
  it('counts runs by status and gives p50/p95 duration and queue wait per bucket', async () => {
    const from = new Date('2026-01-05T00:00:00.000Z');
    const rows: unknown[][] = [];
    // Bucket 0 (00:00–01:00): 100 succeeded with durations 1..100 ms and waits 10 ms, 5 failed. Bucket 2: 3 cancelled.
    for (let i = 1; i <= 100; i++) rows.push(row('succeeded', from.getTime() + i * 1000, 10, i));
    for (let i = 0; i < 5; i++) rows.push(row('failed', from.getTime() + 200_000 + i, 10, 1000));
    for (let i = 0; i < 3; i++) rows.push(row('cancelled', from.getTime() + 2 * 3_600_000 + i, 10, 50));
    await api.h.pool.query('INSERT INTO executions (id, worker_id, `trigger`, status, attempt, queued_at, started_at, finished_at, duration_ms) VALUES ?', [rows]);
    const to = new Date(from.getTime() + 3 * 3_600_000).toISOString();
    const res = await inject('GET', `/stats?workerId=c2-params&from=${from.toISOString()}&to=${to}&step=3600`);
    expect(res.statusCode).toBe(200);
    const stats = res.json() as { buckets: Array<Record<string, unknown>>; statuses: string[] };
    expect(stats.statuses).toEqual(['cancelled', 'failed', 'succeeded']);
    expect(stats.buckets).toHaveLength(3);
    const [b0, b1, b2] = stats.buckets;
    expect(b0).toMatchObject({ start: from.toISOString(), total: 105, counts: { succeeded: 100, failed: 5 } });
    expect(Number(b0.durationP50Ms)).toBeGreaterThanOrEqual(50 * 0.95);
    expect(Number(b0.durationP50Ms)).toBeLessThanOrEqual(53 * 1.05);
    expect(Number(b0.durationP95Ms)).toBeGreaterThanOrEqual(95 * 0.95);
    expect(Number(b0.durationP95Ms)).toBeLessThanOrEqual(1000 * 1.05);
    expect(Number(b0.waitP50Ms)).toBeGreaterThanOrEqual(9);
    expect(Number(b0.waitP50Ms)).toBeLessThanOrEqual(11);
    expect(b1).toMatchObject({ total: 0, counts: {}, durationP50Ms: null });
    expect(b2).toMatchObject({ total: 3, counts: { cancelled: 3 } });
    // Those hours are over: they were rolled up. A half-hour step reads the rows instead, and agrees.
    const [{ n: sealed }] = (await api.h.pool.query('SELECT COUNT(*) AS n FROM execution_stats_hours WHERE worker_id = ?', ['c2-params']))[0] as Array<{ n: number }>;
    expect(Number(sealed)).toBe(3);
    const raw = (await inject('GET', `/stats?workerId=c2-params&from=${from.toISOString()}&to=${to}&step=1800`)).json() as { buckets: Array<Record<string, unknown>> };
    expect(raw.buckets[0]).toMatchObject({ total: 105, durationP50Ms: b0.durationP50Ms, waitP95Ms: b0.waitP95Ms });
    // Deleting a run through the API unseals its hour, so the next answer counts without it.
    expect((await inject('DELETE', `/executions/${rows[0][0]}`)).statusCode).toBe(204);
    const after = (await inject('GET', `/stats?workerId=c2-params&from=${from.toISOString()}&to=${to}&step=3600`)).json() as { buckets: Array<{ counts: Record<string, number> }> };
    expect(after.buckets[0].counts).toEqual({ succeeded: 99, failed: 5 });
    const tooMany = await inject('GET', `/stats?workerId=c2-params&from=2020-01-01T00:00:00Z&to=${to}&step=1`);
    expect(tooMany.json()).toMatchObject({ statusCode: 400, field: 'querystring/step' });
    expect((await inject('GET', `/stats?workerId=nope&from=${from.toISOString()}&to=${to}`)).statusCode).toBe(404);
  });
});

function row(status: string, queuedMs: number, waitMs: number, durationMs: number): unknown[] {
  const id = `0190b7a0-${Math.floor(Math.random() * 0xffff).toString(16).padStart(4, '0')}-7000-8000-${Math.floor(Math.random() * 2 ** 48).toString(16).padStart(12, '0')}`;
  const queued = new Date(queuedMs);
  return [id, 'c2-params', 'manual', status, 1, queued, new Date(queuedMs + waitMs), new Date(queuedMs + waitMs + durationMs), durationMs];
}

describe('workers, params schema and config view', () => {
  it('exposes the params JSON Schema, pages /workers and refuses an unknown kind', async () => {
    const w = (await inject('GET', '/workers/c2-params')).json() as { paramsSchema: { properties: Record<string, Record<string, unknown>>; required: string[] } };
    expect(w.paramsSchema.properties.days).toMatchObject({ type: 'integer', minimum: 1, maximum: 30 });
    expect(w.paramsSchema.required).toEqual(['shopId', 'days']);
    expect(((await inject('GET', '/workers/c2-flaky')).json() as { paramsSchema: unknown }).paramsSchema).toBeNull();
    const page1 = (await inject('GET', '/workers?limit=2')).json() as { items: Array<{ id: string }>; nextCursor: string };
    expect(page1.items.map((x) => x.id)).toEqual(['c2-flaky', 'c2-params']);
    const page2 = (await inject('GET', `/workers?limit=2&cursor=${page1.nextCursor}`)).json() as { items: Array<{ id: string }>; nextCursor: null };
    expect(page2).toMatchObject({ items: [{ id: 'c2-slow' }], nextCursor: null });
    expect((await inject('GET', '/workers?kind=bogus')).json()).toMatchObject({ statusCode: 400, code: 'SLUICE_VALIDATION', field: 'querystring/kind' });
    expect(((await inject('GET', '/workers?kind=websocket')).json() as { items: unknown[] }).items).toEqual([]);
  });

  it("shows a worker its own plugin's settings and the core settings it reads, with sources; /configs lists global rows", async () => {
    expect((await inject('PUT', '/configs/C2_PAGE_LIMIT', { value: 9 })).statusCode).toBe(200);
    expect((await inject('PUT', '/configs/SHARED_PARTNER_KEY', { value: 'canary-k3y' })).statusCode).toBe(200);
    const view = (await inject('GET', '/workers/c2-flaky/config')).json() as { entries: Array<{ key: string; source: string; value: unknown; description: string }> };
    expect(view.entries.find((e) => e.key === 'C2_PAGE_LIMIT')).toMatchObject({ value: 9, source: 'global', description: 'test setting of this plugin folder' });
    expect(view.entries.find((e) => e.key === 'JOB_ATTEMPTS')).toMatchObject({ source: 'default' });
    expect(view.entries.find((e) => e.key === 'API_TOKENS')).toBeUndefined();
    const globals = (await inject('GET', '/configs')).json() as { items: Array<{ key: string; value: unknown }> };
    expect(globals.items.map((r) => r.key)).toEqual(['C2_PAGE_LIMIT', 'SHARED_PARTNER_KEY']);
    expect(JSON.stringify(globals)).not.toContain('canary-k3y');
  });

  it("keeps another plugin's settings out of a worker's view (news does not see BALANCE_*)", async () => {
    const found = await discoverWorkers(path.join(ROOT, 'workers'));
    const registry = buildRegistry(found, { timezone: 'UTC', timeoutMs: 1000, attempts: 1, backoffMs: 1 });
    const keys = workerConfigKeys(registry.get('news')!, path.join(ROOT, 'workers'));
    expect(keys).toContain('NEWS_URL');
    expect(keys).toContain('NEWS_MAX_PAGES');
    expect([...keys].filter((k) => k.startsWith('BALANCE_'))).toEqual([]);
    const scan = [...registry.workers.values()].find((d) => d.file.includes(`${path.sep}balance${path.sep}`))!;
    expect(workerConfigKeys(scan, path.join(ROOT, 'workers'))).toContain('BALANCE_BATCH_SIZE');
  });
});

describe('audit', () => {
  it('records every mutation with token name, route and change (secrets masked); GET /audit is admin-only', async () => {
    const res = await inject('POST', '/workers/c2-params/trigger', { params: { shopId: 's1', days: 3 } });
    const { executionId } = res.json() as { executionId: string };
    await inject('PUT', '/workers/c2-params/configs/PARTNER_SECRET', { value: 'canary-s3cr3t' });
    await inject('POST', '/workers/c2-params/disable', {}, asReader);
    const audit = (await inject('GET', '/audit?workerId=c2-params')).json() as { items: Array<Record<string, unknown>> };
    const [refused, config, trigger] = audit.items;
    expect(trigger).toMatchObject({ tokenName: 'ops', role: 'admin', method: 'POST', route: '/workers/:id/trigger', statusCode: 202, change: { params: { id: 'c2-params' }, body: { params: { shopId: 's1', days: 3 } }, result: { executionId } } });
    expect(config).toMatchObject({ route: '/workers/:id/configs/:key', change: { body: { value: '***' } } });
    expect(refused).toMatchObject({ tokenName: 'viewer', route: '/workers/:id/disable', statusCode: 403 });
    expect(JSON.stringify(audit)).not.toContain('canary-s3cr3t');
    expect((await api.h.executionIn(executionId, ['succeeded'])).triggered_by).toBe('ops');
    expect((await inject('GET', '/audit', undefined, asReader)).statusCode).toBe(403);
  });
});

describe('fixes', () => {
  it('/dashboard/ sends the browser to /dashboard', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/dashboard/' });
    expect(res.statusCode).toBe(308);
    expect(new URL(String(res.headers.location), 'http://x/dashboard/').pathname).toBe('/dashboard');
  });

  it('/ws sends a run\'s progress and plugin events after its execution.started', async () => {
    const ws = await connectWs(url, '?workerId=c2-order');
    const executionId = '0190b7a0-0000-7000-8000-00000000abcd';
    const ev = (type: string, data: Record<string, unknown>) => JSON.stringify({ type, ts: new Date().toISOString(), data: { workerId: 'c2-order', executionId, ...data } });
    const channel = api.container.keys.events;
    await api.container.redis.publish(channel, ev('execution.progress', { progress: 50 }));
    await api.container.redis.publish(channel, ev('shop.synced', { orders: 3 }));
    await api.container.redis.publish(channel, JSON.stringify([JSON.parse(ev('execution.started', { attempt: 1, trigger: 'manual' })), JSON.parse(ev('execution.finished', { status: 'succeeded', durationMs: 1 }))]));
    await ws.next((e) => e.type === 'execution.finished');
    expect(ws.events.filter((e) => e.type !== 'ws.ready').map((e) => e.type)).toEqual(['execution.started', 'execution.progress', 'shop.synced', 'execution.finished']);
    ws.close();
  });
});
