/**
 * Issue 11 item 6: input limits and one error shape. Deep JSON, a text/plain body, a 10,000-character path
 * parameter, a static path outside its folder, a malformed URL, oversize headers, secret-looking and unknown params
 * keys: each gets a documented code in the table's shape, and nothing is stored.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import type { RowDataPacket } from 'mysql2/promise';
import { Schedule, ScheduleWorker } from '../../app';
import { errorTable } from '../../app/core/api/errors';
import { asAdmin, startApiOnly, type ApiHarness } from './api-harness';

@Schedule({ id: 'lim-open', params: Type.Object({ shop: Type.String() }) })
class OpenParams extends ScheduleWorker<{ shop: string }> {
  run() {
    return null;
  }
}

@Schedule({ id: 'lim-closed', params: Type.Object({ shop: Type.String() }, { additionalProperties: false }) })
class ClosedParams extends ScheduleWorker<{ shop: string }> {
  run() {
    return null;
  }
}

@Schedule({ id: 'lim-any' })
class AnyParams extends ScheduleWorker {
  run() {
    return null;
  }
}

const TABLE = new Map(errorTable().map((e) => [e.code, e.statusCode]));
let api: ApiHarness;

beforeAll(async () => {
  api = await startApiOnly('limits', [OpenParams, ClosedParams, AnyParams]);
});
afterAll(async () => {
  await api?.close();
});

const nested = (depth: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
};

/** The table's shape with a documented code for this status. */
function expectTableShape(res: { statusCode: number; json(): unknown }, status: number, code: string): Record<string, unknown> {
  expect(res.statusCode).toBe(status);
  const body = res.json() as Record<string, unknown>;
  expect(body).toMatchObject({ statusCode: status, code, error: expect.any(String), message: expect.any(String) });
  expect(TABLE.get(code)).toBe(status);
  return body;
}

async function count(table: string): Promise<number> {
  const [rows] = await api.container.core.pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${table}`);
  return Number(rows[0].n);
}

/** One HTTP/1.1 GET written byte for byte; resolves with the whole answer (the server closes the connection). */
function rawGet(base: URL, path: string, extraHeaders = ''): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const socket = net.connect(Number(base.port), base.hostname, () => socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${extraHeaders}\r\n`));
    let data = '';
    socket.on('data', (d) => (data += d.toString()));
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
}

describe('input limits', () => {
  it('JSON nested thousands of levels deep in trigger params or a config value is a 400 naming JSON_MAX_DEPTH', async () => {
    const before = [await count('executions'), await count('worker_configs')];
    const deepText = `{"params":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}}`;
    const trigger = await api.app.inject({ method: 'POST', url: '/workers/lim-any/trigger', headers: { ...asAdmin, 'content-type': 'application/json' }, payload: deepText });
    const body = expectTableShape(trigger, 400, 'SLUICE_TOO_DEEP');
    expect(body.message).toMatch(/32 levels.*JSON_MAX_DEPTH/);
    expect(body.field).toBe('body');
    // A text deeper than Node's stack would allow JSON.parse/stringify to recurse through.
    const huge = '['.repeat(200_000) + ']'.repeat(200_000);
    expectTableShape(await api.app.inject({ method: 'PUT', url: '/configs/LIM_DEEP', headers: { ...asAdmin, 'content-type': 'application/json' }, payload: `{"value":${huge}}` }), 400, 'SLUICE_TOO_DEEP');
    expectTableShape(await api.app.inject({ method: 'PUT', url: '/configs/LIM_DEEP', headers: asAdmin, payload: { value: nested(40) } }), 400, 'SLUICE_TOO_DEEP');
    // At the limit it is accepted.
    expect((await api.app.inject({ method: 'PUT', url: '/configs/LIM_OK', headers: asAdmin, payload: { value: nested(31) } })).statusCode).toBe(200);
    expect([await count('executions'), await count('worker_configs')]).toEqual([before[0], before[1] + 1]);
  });

  it('ConfigChain.set and the dispatcher refuse values too deep for the job hash, naming the limit', async () => {
    await expect(api.container.config.set('LIM_DEEPER', nested(100))).rejects.toThrow(/nested deeper than 32 levels \(JSON_MAX_DEPTH\)/);
    await expect(api.container.dispatcher.enqueue('lim-any', { x: nested(10_000) as object })).rejects.toThrow(/params is nested deeper than 32 levels/);
  });

  it('a config value out of its setting\'s range is a 400 naming the bound', async () => {
    const res = await api.app.inject({ method: 'PUT', url: '/configs/LOG_FLUSH_BATCH', headers: asAdmin, payload: { value: 0 } });
    expect(expectTableShape(res, 400, 'SLUICE_INVALID_CONFIG_VALUE').message).toBe('value: LOG_FLUSH_BATCH is a setting of type int >= 1');
    expect((await api.app.inject({ method: 'GET', url: '/configs/LOG_FLUSH_BATCH', headers: asAdmin })).statusCode).toBe(404);
  });

  it('a text/plain body gets 415, an unknown type too', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const res = await api.app.inject({ method: 'POST', url: '/workers/lim-any/trigger', headers: { ...asAdmin, 'content-type': type }, payload: '{"params":{}}' });
      expectTableShape(res, 415, 'SLUICE_UNSUPPORTED_MEDIA_TYPE');
    }
  });

  it('a 10,000-character path parameter gets 414 in the table shape, without echoing the path', async () => {
    const long = 'w'.repeat(10_000);
    for (const url of [`/workers/${long}`, `/workers/${long}/trigger`, `/configs/${long}`]) {
      const res = await api.app.inject({ method: url.endsWith('trigger') ? 'POST' : 'GET', url, headers: asAdmin });
      const body = expectTableShape(res, 414, 'SLUICE_URI_TOO_LONG');
      expect(body.message).toMatch(/256 characters \(API_MAX_PARAM_LENGTH\)/);
      expect(res.body.length).toBeLessThan(400);
    }
  });

  it('a static path outside its folder, a malformed URL and an unknown route answer documented codes', async () => {
    // Sent as is (fetch and inject would resolve the dot segments before sending).
    const base = api.url ? new URL(api.url) : new URL(await api.listen());
    for (const path of ['/docs/static/../', '/docs/static/../../package.json', '/docs/static/%2e%2e/%2e%2e/package.json']) {
      const raw = await rawGet(base, path);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)![1]);
      const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
      expect(status, path).toBe(403);
      expect(JSON.parse(body), path).toMatchObject({ statusCode: 403, code: 'SLUICE_FORBIDDEN' });
    }
    expectTableShape(await api.app.inject({ method: 'GET', url: '/workers/%E0%A4%A', headers: asAdmin }), 400, 'SLUICE_BAD_REQUEST');
    const missing = await api.app.inject({ method: 'GET', url: `/nope/${'z'.repeat(5_000)}` });
    expectTableShape(missing, 404, 'SLUICE_ROUTE_NOT_FOUND');
    expect(missing.body.length).toBeLessThan(600);
  });

  it('headers over Node\'s limit get 431 in the table shape from the HTTP parser', async () => {
    const url = api.url ? new URL(api.url) : new URL(await api.listen());
    const raw = await rawGet(url, '/health', `X-Big: ${'a'.repeat(20_000)}\r\n`);
    expect(raw).toMatch(/^HTTP\/1\.1 431/);
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toMatchObject({ statusCode: 431, code: 'SLUICE_HEADERS_TOO_LARGE' });
  });

  it('unknown params keys are removed unless the schema forbids them (then 400); secret-looking keys are refused', async () => {
    const open = await api.app.inject({ method: 'POST', url: '/workers/lim-open/trigger', headers: asAdmin, payload: { params: { shop: 's1', evil: 1 } } });
    expect(open.statusCode).toBe(202);
    const job = await api.container.queues.get('lim-open').getJob((open.json() as { executionId: string }).executionId);
    expect(job!.data.params).toEqual({ shop: 's1' });
    await api.container.recorder.drain();
    const [row] = await api.container.core.pool.query<RowDataPacket[]>('SELECT params FROM executions WHERE id = ?', [(open.json() as { executionId: string }).executionId]);
    expect(JSON.stringify(row[0].params)).not.toContain('evil');

    const closed = await api.app.inject({ method: 'POST', url: '/workers/lim-closed/trigger', headers: asAdmin, payload: { params: { shop: 's1', evil: 1 } } });
    expect(expectTableShape(closed, 400, 'SLUICE_INVALID_PARAMS').field).toBe('body/params/evil');

    const secret = await api.app.inject({ method: 'POST', url: '/workers/lim-any/trigger', headers: asAdmin, payload: { params: { shop: { password: 'hunter22' } } } });
    const body = expectTableShape(secret, 400, 'SLUICE_INVALID_PARAMS');
    expect(body.field).toBe('body/params/shop/password');
    expect(body.message).toMatch(/ctx\.config/);
    expect(secret.body).not.toContain('hunter22');
  });
});
