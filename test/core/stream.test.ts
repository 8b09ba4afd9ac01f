/** `@Stream` in one worker role: batches, acks, failures, dead-lettering, replay through the API, live figures. */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Schedule, ScheduleWorker, Stream, StreamEntriesError, StreamWorker, type StreamContext, type StreamEntry } from '../../app';
import { discoverWorkers } from '../../app/core/registry/discovery';
import { buildRegistry } from '../../app/core/registry/worker-registry';
import { eventually } from '../support/isolation';
import { asAdmin, asReader, startApiWithWorker, type ApiHarness } from '../api/api-harness';

const seen = new Map<string, number>();
const state = { poison: 'poison', fixed: false, handlerCtx: null as StreamContext | null };

@Stream({ id: 'st-orders', stream: 'st:orders', batchSize: 10, blockMs: 200, claimIdleMs: 300, maxDeliveries: 3 })
class OrdersStream extends StreamWorker {
  handle(entries: readonly StreamEntry[], ctx: StreamContext) {
    state.handlerCtx = ctx;
    ctx.log.info(`st batch of ${entries.length}`);
    const bad = entries.filter((e) => (e.fields.kind === state.poison && !state.fixed) || e.fields.kind === 'always-bad').map((e) => e.id);
    for (const e of entries) if (!bad.includes(e.id)) seen.set(e.fields.n, (seen.get(e.fields.n) ?? 0) + 1);
    if (bad.length) throw new StreamEntriesError(Object.fromEntries(bad.map((id) => [id, new Error(`cannot parse ${id}`)])));
  }
}

const hopelessCalls = new Map<string, number>();
@Stream({ id: 'st-tenants', stream: 'st:tenants', batchSize: 10, blockMs: 200, claimIdleMs: 300, maxDeliveries: 5 })
class TenantsStream extends StreamWorker {
  handle(entries: readonly StreamEntry[]) {
    for (const e of entries) hopelessCalls.set(e.fields.n, (hopelessCalls.get(e.fields.n) ?? 0) + 1);
    const dead = entries.filter((e) => e.fields.tenant === 'nobody');
    return { dead: Object.fromEntries(dead.map((e) => [e.id, `tenant ${e.fields.tenant} does not exist`])) };
  }
}

@Schedule({ id: 'st-task' })
class StTask extends ScheduleWorker {
  run() {
    return null;
  }
}

let api: ApiHarness;
const key = () => `${api.testEnv.redisPrefix}st:orders`;
const add = (fields: Record<string, string>) => api.container.redis.xadd(key(), '*', ...Object.entries(fields).flat());
const view = async () => (await api.app.inject({ method: 'GET', url: '/workers/st-orders', headers: asAdmin })).json() as { state: string; details: Record<string, number | null> };

beforeAll(async () => {
  api = await startApiWithWorker('stream', [OrdersStream, TenantsStream, StTask], { STREAM_STATE_INTERVAL_MS: '100' });
});
afterAll(async () => {
  await api?.close();
});

describe('@Stream consumer', () => {
  it('fails the boot naming the file for a bad option', async () => {
    await expect(async () => buildRegistry(await discoverWorkers(path.resolve(__dirname, '../fixtures/streams/bad')), { timezone: 'UTC', timeoutMs: 1, attempts: 1, backoffMs: 1 }))
      .rejects.toThrow(/Invalid option batchSize for worker "bad-stream" in .*streams\/bad\/x\.worker\.ts: must be an integer >= 1/);
  });

  it('acks handled entries; a failing entry goes to the dead stream after maxDeliveries while its batch-mates are acked', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) ids.push((await add({ n: String(i), kind: i === 7 ? 'poison' : 'ok' }))!);
    await eventually(async () => seen.size === 24, { what: '24 good entries handled' });
    const dead = await eventually(async () => {
      const res = await api.app.inject({ method: 'GET', url: '/streams/st-orders/dead', headers: asReader });
      const items = (res.json() as { items: Array<Record<string, unknown>> }).items;
      return items.length ? items : undefined;
    }, { what: 'the poison entry dead-lettered', timeoutMs: 10_000 });
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ originalId: ids[7], deliveries: 3, error: `cannot parse ${ids[7]}`, fields: { n: '7', kind: 'poison' } });
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    const v = await eventually(async () => {
      const w = await view();
      return w.details.pending === 0 && w.details.dead === 1 ? w : undefined;
    }, { what: 'figures to settle' });
    expect(v).toMatchObject({ state: 'consuming', details: { pending: 0, lag: 0, consumers: 1, acked: 24, dead: 1, failed: 3 } });
    expect(state.handlerCtx).toMatchObject({ workerId: 'st-orders', group: 'st-orders', stream: key() });
    expect(typeof state.handlerCtx!.enqueue).toBe('function');
  });

  it('dead-letters the entries a handler returns as { dead } on their first delivery, and acks the rest', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await api.container.redis.xadd(`${api.testEnv.redisPrefix}st:tenants`, '*', 'n', String(i), 'tenant', i === 2 ? 'nobody' : 'acme'))!);
    const dead = await eventually(async () => {
      const items = ((await api.app.inject({ method: 'GET', url: '/streams/st-tenants/dead', headers: asReader })).json() as { items: Array<Record<string, unknown>> }).items;
      return items.length ? items : undefined;
    }, { what: 'the entry of an unknown tenant dead-lettered' });
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ originalId: ids[2], deliveries: 1, error: 'tenant nobody does not exist', fields: { n: '2', tenant: 'nobody' } });
    const v = await eventually(async () => {
      const w = (await api.app.inject({ method: 'GET', url: '/workers/st-tenants', headers: asAdmin })).json() as { details: Record<string, number | null> };
      return w.details.pending === 0 && w.details.dead === 1 && w.details.acked === 5 ? w : undefined;
    }, { what: 'figures to settle' });
    expect(v.details).toMatchObject({ pending: 0, acked: 5, dead: 1, failed: 1 });
    // Handled once each: nothing was delivered again.
    expect([...hopelessCalls.values()]).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('replays dead entries through the API; a fixed handler then handles them', async () => {
    const list = (await api.app.inject({ method: 'GET', url: '/streams/st-orders/dead', headers: asAdmin })).json() as { items: Array<{ id: string }> };
    expect((await api.app.inject({ method: 'POST', url: '/streams/st-orders/dead/replay', headers: asReader, payload: { all: true } })).statusCode).toBe(403);
    const missing = await api.app.inject({ method: 'POST', url: '/streams/st-orders/dead/replay', headers: asAdmin, payload: { ids: ['1-1'] } });
    expect(missing.statusCode).toBe(404);
    state.fixed = true;
    const res = await api.app.inject({ method: 'POST', url: '/streams/st-orders/dead/replay', headers: asAdmin, payload: { ids: list.items.map((i) => i.id) } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ replayed: 1 });
    await eventually(async () => seen.get('7') === 1, { what: 'the replayed entry handled' });
    expect((await api.app.inject({ method: 'GET', url: '/streams/st-orders/dead', headers: asAdmin })).json()).toMatchObject({ items: [], nextCursor: null });
  });

  it('paginates the dead stream, deletes one entry, refuses bad input changing nothing, and stores handler logs', async () => {
    for (let i = 0; i < 3; i++) await add({ n: `bad-${i}`, kind: 'always-bad', api_token: 'canary-secret-123' });
    const url = '/streams/st-orders/dead';
    await eventually(async () => ((await api.app.inject({ method: 'GET', url, headers: asAdmin })).json() as { items: unknown[] }).items.length === 3, { what: 'three dead entries', timeoutMs: 10_000 });
    const first = (await api.app.inject({ method: 'GET', url: `${url}?limit=2`, headers: asAdmin })).json() as { items: Array<{ id: string; fields: Record<string, string> }>; nextCursor: string };
    expect(first.items.map((i) => i.fields.n)).toEqual(['bad-0', 'bad-1']);
    const second = (await api.app.inject({ method: 'GET', url: `${url}?limit=2&cursor=${first.nextCursor}`, headers: asAdmin })).json() as { items: Array<{ id: string; fields: Record<string, string> }>; nextCursor: string | null };
    expect(second).toMatchObject({ items: [{ fields: { n: 'bad-2', api_token: '***' } }], nextCursor: null });

    const before = await api.container.redis.xlen(`${key()}:dead`);
    for (const payload of [{}, { ids: ['nope'] }, { ids: [first.items[0].id], all: true }, { all: false }, { ids: [] }]) {
      const res = await api.app.inject({ method: 'POST', url: `${url}/replay`, headers: asAdmin, payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json()).toMatchObject({ code: 'SLUICE_VALIDATION' });
    }
    expect((await api.app.inject({ method: 'DELETE', url: `${url}/bad-id`, headers: asAdmin })).statusCode).toBe(400);
    expect((await api.app.inject({ method: 'DELETE', url: `${url}/1-1`, headers: asAdmin })).json()).toMatchObject({ code: 'SLUICE_DEAD_ENTRY_NOT_FOUND' });
    expect(await api.container.redis.xlen(`${key()}:dead`)).toBe(before);

    expect((await api.app.inject({ method: 'DELETE', url: `${url}/${first.items[0].id}`, headers: asReader })).statusCode).toBe(403);
    expect((await api.app.inject({ method: 'DELETE', url: `${url}/${first.items[0].id}`, headers: asAdmin })).statusCode).toBe(204);
    const left = (await api.app.inject({ method: 'GET', url, headers: asAdmin })).json() as { items: Array<{ fields: Record<string, string> }> };
    expect(left.items.map((i) => i.fields.n)).toEqual(['bad-1', 'bad-2']);

    const logs = await eventually(async () => {
      const res = (await api.app.inject({ method: 'GET', url: '/logs?workerId=st-orders', headers: asAdmin })).json() as { items: Array<{ message: string }> };
      return res.items.some((l) => /^st batch of \d+$/.test(l.message)) ? res.items : undefined;
    }, { what: 'handler log lines stored' });
    expect(logs.some((l) => /entr(y|ies) failed \(\d+ dead-lettered\)/.test(l.message))).toBe(true);
  });

  it('answers 409 for the dead letters of a worker that is not a stream, 404 for an unknown one', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/streams/st-task/dead', headers: asAdmin });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'SLUICE_NOT_A_STREAM' });
    expect((await api.app.inject({ method: 'GET', url: '/streams/no-such/dead', headers: asAdmin })).json()).toMatchObject({ code: 'SLUICE_WORKER_NOT_FOUND' });
  });

  it('recreates its group when the stream is deleted under it, and goes on consuming', async () => {
    await api.container.redis.del(key());
    await add({ n: 'after-del', kind: 'ok' });
    await eventually(async () => seen.get('after-del') === 1, { what: 'an entry added after the stream was deleted', timeoutMs: 10_000 });
  });

  it('keeps its state and last failure durable in worker_status', async () => {
    const row = await eventually(async () => {
      const [rows] = await api.container.core.pool.query<import('mysql2/promise').RowDataPacket[]>("SELECT * FROM worker_status WHERE worker_id = 'st-orders'");
      return rows[0]?.last_error ? rows[0] : undefined;
    }, { what: 'a worker_status row' });
    expect(row).toMatchObject({ state: 'consuming' });
    expect(row.last_error).toMatch(/stream st-orders: \d+ entr(y|ies) failed/);
  });
});
