import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import WebSocket from 'ws';
import { Schedule, ScheduleWorker, type RunContext } from '../../app';
import { eventually } from '../support/isolation';
import { ADMIN, asAdmin, connectWs, startApiWithWorker, type ApiHarness, type WsClient } from './api-harness';
import type { Harness } from '../support/harness';

@Schedule({ id: 'api-double', params: Type.Object({ n: Type.Integer({ minimum: 0 }) }), description: 'doubles n' })
class DoubleWorker extends ScheduleWorker<{ n: number }> {
  async run(ctx: RunContext<{ n: number }>) {
    ctx.log.info('first line', { n: ctx.params.n });
    ctx.log.warn('second line');
    ctx.log.info('third line');
    return { doubled: ctx.params.n * 2 };
  }
}

@Schedule({ id: 'api-wait', description: 'runs until stopped' })
class WaitWorker extends ScheduleWorker {
  async run(ctx: RunContext) {
    await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
  }
}

let api: ApiHarness & { h: Harness };
let url: string;
let ws: WsClient;

beforeAll(async () => {
  api = await startApiWithWorker('control', [DoubleWorker, WaitWorker]);
  url = await api.listen();
  ws = await connectWs(url, '?workerId=api-double,api-wait');
});

afterAll(async () => {
  ws?.close();
  await api?.close();
});

const inject = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, payload?: unknown) =>
  api.app.inject({ method, url: path, headers: asAdmin, ...(payload === undefined ? {} : { payload: payload as object }) });

describe('trigger → run → history, logs and live events', () => {
  it('runs a triggered job: 202, execution succeeded, its log lines in order, execution.started/finished on /ws', async () => {
    const res = await inject('POST', '/workers/api-double/trigger', { params: { n: 21 } });
    expect(res.statusCode).toBe(202);
    const { executionId } = res.json() as { executionId: string };
    await ws.next((e) => e.type === 'execution.started' && (e.data as { executionId: string }).executionId === executionId);
    const finished = await ws.next((e) => e.type === 'execution.finished' && (e.data as { executionId: string }).executionId === executionId);
    expect(finished.data).toMatchObject({ workerId: 'api-double', status: 'succeeded' });

    const exec = await eventually(async () => {
      const r = await inject('GET', `/executions/${executionId}`);
      return r.statusCode === 200 && r.json().status === 'succeeded' ? (r.json() as { durationMs: number }) : undefined;
    }, { what: 'execution succeeded through the API' });
    expect(exec).toMatchObject({ id: executionId, workerId: 'api-double', trigger: 'manual', params: { n: 21 }, result: { doubled: 42 }, attempt: 1 });
    expect(exec.durationMs).toBeGreaterThanOrEqual(0);

    const logs = await eventually(async () => {
      const r = (await inject('GET', `/executions/${executionId}/logs`)).json() as { items: Array<{ message: string; level: string }> };
      return r.items.length >= 3 ? r.items : undefined;
    }, { what: 'log lines' });
    expect(logs.map((l) => l.message).filter((m) => m.endsWith('line'))).toEqual(['first line', 'second line', 'third line']);
    const page1 = (await inject('GET', `/executions/${executionId}/logs?limit=1`)).json() as { items: unknown[]; nextCursor: string };
    const page2 = (await inject('GET', `/executions/${executionId}/logs?limit=1&cursor=${page1.nextCursor}`)).json() as { items: unknown[] };
    expect([...page1.items, ...page2.items]).toEqual(logs.slice(0, 2));

    const worker = (await inject('GET', '/workers/api-double')).json();
    expect(worker).toMatchObject({ id: 'api-double', kind: 'schedule', enabled: true, nextFireAt: null, lastExecution: { id: executionId, status: 'succeeded' } });
    const search = (await inject('GET', `/logs?workerId=api-double&level=warn`)).json() as { items: Array<{ message: string }> };
    expect(search.items.map((l) => l.message)).toContain('second line');
  });

  it('names the failing params field and queues nothing', async () => {
    const res = await inject('POST', '/workers/api-double/trigger', { params: { n: 'x' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'SLUICE_INVALID_PARAMS', field: 'body/params/n' });
    expect(res.json().message).toMatch(/params\.n/);
    expect((await inject('GET', '/queues')).json().items.find((q: { workerId: string }) => q.workerId === 'api-double')).toMatchObject({ waiting: 0, active: 0 });
  });

  it('pages executions newest first with a cursor and filters by status', async () => {
    const ids: string[] = [];
    for (let n = 0; n < 3; n++) ids.push((await inject('POST', '/workers/api-double/trigger', { params: { n } })).json().executionId);
    await Promise.all(ids.map((id) => api.h.executionIn(id, ['succeeded'])));
    const first = (await inject('GET', '/workers/api-double/executions?limit=2')).json() as { items: Array<{ id: string }>; nextCursor: string };
    expect(first.items.map((x) => x.id)).toEqual([ids[2], ids[1]]);
    const second = (await inject('GET', `/workers/api-double/executions?limit=2&cursor=${first.nextCursor}`)).json() as { items: Array<{ id: string }> };
    expect(second.items[0].id).toBe(ids[0]);
    const failed = (await inject('GET', '/workers/api-double/executions?status=failed')).json();
    expect(failed).toEqual({ items: [], nextCursor: null });
  });

  it('stop cancels the running execution (ctx.signal) and 409s when nothing runs', async () => {
    expect((await inject('POST', '/workers/api-wait/stop')).statusCode).toBe(409);
    const { executionId } = (await inject('POST', '/workers/api-wait/trigger', {})).json() as { executionId: string };
    await ws.next((e) => e.type === 'execution.started' && (e.data as { executionId: string }).executionId === executionId);
    const stop = await inject('POST', '/workers/api-wait/stop');
    expect(stop.statusCode).toBe(202);
    expect(stop.json()).toMatchObject({ workerId: 'api-wait', action: 'stop', executionIds: [executionId] });
    const fin = await ws.next((e) => e.type === 'execution.finished' && (e.data as { executionId: string }).executionId === executionId);
    expect(fin.data).toMatchObject({ status: 'cancelled' });
    expect((await api.h.executionIn(executionId, ['cancelled'])).status).toBe('cancelled');
    expect((await inject('POST', '/workers/api-wait/start')).json()).toMatchObject({ statusCode: 409, code: 'SLUICE_NOT_A_LISTENER' });
  });

  it('reads, writes and deletes config rows; the effective view shows sources and masks secrets', async () => {
    expect((await inject('PUT', '/configs/API_DEMO_LIMIT', { value: 5 })).statusCode).toBe(200);
    expect((await inject('PUT', '/workers/api-double/configs/API_DEMO_LIMIT', { value: 7 })).json()).toMatchObject({ key: 'API_DEMO_LIMIT', workerId: 'api-double', value: 7 });
    const put = await inject('PUT', '/workers/api-double/configs/PARTNER_SECRET', { value: 'canary-s3cr3t' });
    expect(put.json()).toMatchObject({ value: '***', secret: true });
    expect(put.body).not.toContain('canary-s3cr3t');
    const view = (await inject('GET', '/workers/api-double/config')).json() as { entries: Array<{ key: string; value: unknown; source: string }> };
    expect(view.entries.find((e) => e.key === 'API_DEMO_LIMIT')).toMatchObject({ value: 7, source: 'worker' });
    expect(view.entries.find((e) => e.key === 'PARTNER_SECRET')).toMatchObject({ value: '***', source: 'worker' });
    // Only the settings this worker reads: core job settings yes, API settings no.
    expect(view.entries.find((e) => e.key === 'JOB_TIMEOUT_MS')).toMatchObject({ value: 3_600_000, source: 'default' });
    expect(view.entries.find((e) => e.key === 'API_PAGE_SIZE')).toBeUndefined();
    expect(JSON.stringify(view)).not.toContain('canary-s3cr3t');
    expect((await inject('PUT', '/configs/API_PAGE_SIZE', { value: '50' })).json()).toMatchObject({ statusCode: 400, field: 'body/value' });
    expect((await inject('DELETE', '/workers/api-double/configs/API_DEMO_LIMIT')).statusCode).toBe(204);
    expect((await inject('DELETE', '/workers/api-double/configs/API_DEMO_LIMIT')).statusCode).toBe(404);
    const after = (await inject('GET', '/workers/api-double/config')).json() as { entries: Array<{ key: string; value: unknown; source: string }> };
    expect(after.entries.find((e) => e.key === 'API_DEMO_LIMIT')).toMatchObject({ value: 5, source: 'global' });
    await ws.next((e) => e.type === 'config.changed');
  });

  it('exposes queue counts and Prometheus metrics of runs', async () => {
    const queues = (await inject('GET', '/queues')).json() as { items: Array<Record<string, unknown>> };
    expect(queues.items.map((q) => q.workerId)).toEqual(['api-double', 'api-wait']);
    const metrics = await inject('GET', '/metrics');
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.body).toMatch(/sluice_executions_finished_total\{worker="api-double",status="succeeded"\} [1-9]/);
    expect(metrics.body).toMatch(/sluice_execution_duration_seconds_count\{worker="api-double",status="succeeded"\} [1-9]/);
    expect(metrics.body).toMatch(/sluice_queue_jobs\{worker="api-wait",state="waiting"\} 0/);
    expect(metrics.body).toMatch(/sluice_ws_clients 1/);
    expect(metrics.body).toMatch(/process_cpu_user_seconds_total/);
  });
});

describe('/ws', () => {
  it('refuses unauthenticated clients and accepts the token as header, subprotocol or query', async () => {
    const refused = await new Promise<number>((resolve) => {
      const s = new WebSocket(`${url.replace('http', 'ws')}/ws`);
      s.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      s.on('open', () => resolve(101));
    });
    expect(refused).toBe(401);
    const byQuery = await connectWs(url, `?token=${ADMIN}`, []);
    byQuery.close();
    const byHeader = await connectWs(url, '', [], { headers: asAdmin });
    expect(byHeader.socket.protocol).toBe('');
    byHeader.close();
    expect(ws.socket.protocol).toBe('sluice.v1');
  });

  it('filters by event type and worker', async () => {
    const only = await connectWs(url, '?type=execution.finished&workerId=api-double');
    const { executionId } = (await inject('POST', '/workers/api-double/trigger', { params: { n: 1 } })).json() as { executionId: string };
    await only.next((e) => e.type === 'execution.finished' && (e.data as { executionId: string }).executionId === executionId);
    expect(new Set(only.events.map((e) => e.type))).toEqual(new Set(['ws.ready', 'execution.finished']));
    only.close();
  });

  it('drops a client whose unsent data exceeds the bound, and one that stops answering pings', async () => {
    const tiny = await startApiWithWorker('ws-limits', [DoubleWorker], { API_WS_MAX_BUFFERED_BYTES: '1', API_WS_HEARTBEAT_MS: '150' });
    try {
      const u = await tiny.listen();
      const closed = await new Promise<number>((resolve) => {
        const s = new WebSocket(`${u.replace('http', 'ws')}/ws`, ['sluice.v1', `bearer.${ADMIN}`]);
        s.on('close', (code) => resolve(code));
      });
      expect(closed).toBe(1006);
      const m = await tiny.app.inject({ method: 'GET', url: '/metrics', headers: asAdmin });
      expect(m.body).toMatch(/sluice_ws_clients_dropped_total\{reason="slow"\} 1/);
    } finally {
      await tiny.close();
    }
    const hb = await startApiWithWorker('ws-heartbeat', [DoubleWorker], { API_WS_HEARTBEAT_MS: '150' });
    try {
      const u = await hb.listen();
      const silent = await connectWs(u, '', ['sluice.v1', `bearer.${ADMIN}`], { autoPong: false });
      const healthy = await connectWs(u);
      const code = await new Promise<number>((resolve) => silent.socket.on('close', (c) => resolve(c)));
      expect(code).toBe(1006);
      expect(healthy.socket.readyState).toBe(WebSocket.OPEN);
      healthy.close();
    } finally {
      await hb.close();
    }
  });
});
