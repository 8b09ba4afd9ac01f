/** The resources API over HTTP: version table, fulldata caching headers, stale versions, compression, roles. */
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { asAdmin, asReader, READER, startResourcesApi, type ResourcesApi } from './resources-api';

let api: ResourcesApi;

beforeAll(async () => {
  api = await startResourcesApi('routes');
}, 60_000);

afterAll(async () => {
  await api?.close();
});

interface VersionView { name: string; version: number; hash: string; rows: number; bytes: number; updatedAt: string; idField: string }

async function table(): Promise<VersionView[]> {
  const res = await api.app.inject({ method: 'GET', url: '/plugins/resources', headers: asReader });
  expect(res.statusCode).toBe(200);
  return res.json<VersionView[]>();
}

const fulldata = (name: string, v: number | string | null, headers: Record<string, string> = {}) =>
  api.app.inject({ method: 'GET', url: `/plugins/resources/${name}/fulldata${v === null ? '' : `?v=${v}`}`, headers: { ...asReader, ...headers } });

describe('resources API', () => {
  it('lists every declared resource with its version, and revalidates the table by ETag', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/plugins/resources', headers: asReader });
    expect(res.statusCode).toBe(200);
    const rows = res.json<VersionView[]>();
    expect(rows.map((r) => r.name)).toEqual(['staff', 'stores', 'warehouses']);
    expect(rows.find((r) => r.name === 'staff')).toMatchObject({ version: 1, rows: 5_000, idField: 'id' });
    for (const r of rows) expect(Object.keys(r)).toEqual(expect.arrayContaining(['name', 'version', 'hash', 'rows', 'bytes', 'updatedAt']));
    const etag = res.headers.etag as string;
    expect(etag).toBeTruthy();
    const again = await api.app.inject({ method: 'GET', url: '/plugins/resources', headers: { ...asReader, 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('serves the current version gzip-compressed with an ETag and immutable caching, and answers If-None-Match with 304', async () => {
    const staff = (await table()).find((r) => r.name === 'staff')!;
    const res = await fulldata('staff', staff.version, { 'accept-encoding': 'gzip, deflate, br' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers.vary).toMatch(/accept-encoding/i);
    expect(Number(res.headers['x-resource-version'])).toBe(staff.version);
    const rows = JSON.parse(gunzipSync(res.rawPayload).toString('utf8')) as Array<{ id: number }>;
    expect(rows).toHaveLength(5_000);
    expect(res.rawPayload.length).toBeLessThan(staff.bytes / 3);

    const etag = res.headers.etag as string;
    expect(etag).toMatch(new RegExp(`^W/"${staff.version}-`));
    const revalidated = await fulldata('staff', staff.version, { 'if-none-match': etag, 'accept-encoding': 'gzip' });
    expect(revalidated.statusCode).toBe(304);
    expect(revalidated.body).toBe('');
    expect(revalidated.headers.etag).toBe(etag);
    expect(revalidated.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const other = await fulldata('staff', staff.version, { 'if-none-match': 'W/"999-0000"', 'accept-encoding': 'gzip' });
    expect(other.statusCode).toBe(200);
  });

  it('inflates the body for a client that does not accept gzip', async () => {
    const v = (await table()).find((r) => r.name === 'warehouses')!.version;
    const res = await fulldata('warehouses', v, { 'accept-encoding': 'identity' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding'] ?? 'identity').toBe('identity');
    expect(res.json<Array<{ id: number; code: string }>>()[0]).toMatchObject({ id: 1, code: 'WH001' });
    // A dataset smaller than @fastify/compress's usual threshold is still labelled gzip.
    const gz = await fulldata('warehouses', v, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(gz.rawPayload).toString('utf8'))).toHaveLength(8);
  });

  it('answers a stale, unknown or missing v with the current data, marked no-cache and with its version', async () => {
    const before = (await table()).find((r) => r.name === 'stores')!.version;
    const bump = await api.app.inject({ method: 'POST', url: '/plugins/resources/stores/bump', headers: asAdmin });
    expect(bump.statusCode).toBe(200);
    const current = bump.json<{ version: number }>().version;
    expect(current).toBe(before + 1);
    const fresh = await fulldata('stores', current);
    for (const v of [before, current + 5, null]) {
      const res = await fulldata('stores', v, { 'accept-encoding': 'gzip' });
      expect(res.statusCode, `v=${v}`).toBe(200);
      expect(res.headers['cache-control'], `v=${v}`).toBe('no-cache');
      expect(res.headers['x-resource-version']).toBe(String(current));
      expect(res.headers.etag).toBe(fresh.headers.etag);
      expect(JSON.parse(gunzipSync(res.rawPayload).toString('utf8'))).toHaveLength(60);
      // Revalidating such an answer works too, and still does not make it immutable.
      const again = await fulldata('stores', v, { 'if-none-match': String(res.headers.etag) });
      expect(again.statusCode).toBe(304);
      expect(again.headers['cache-control']).toBe('no-cache');
    }
    const followed = await fetch(`${api.url}/plugins/resources/stores/fulldata?v=${before}`, { headers: asReader });
    expect(followed.status).toBe(200);
    expect(followed.redirected).toBe(false);
    expect(followed.headers.get('x-resource-version')).toBe(String(current));
    expect(((await followed.json()) as unknown[]).length).toBe(60);
  });

  it('a refresh without change does not bump; a change bumps, drops the cached body and reaches /ws within 1 s', async () => {
    const ws = new WebSocket(`${api.url.replace('http', 'ws')}/ws?type=resource.version`, ['sluice.v1', `bearer.${READER}`]);
    const messages: Array<{ type: string; data: { name: string; version: number } }> = [];
    await new Promise<void>((resolve, reject) => {
      ws.on('message', (m) => {
        const e = JSON.parse(String(m)) as { type: string; data: { name: string; version: number } };
        if (e.type === 'ws.ready') resolve();
        else messages.push(e);
      });
      ws.on('error', reject);
    });
    try {
      const v = (await table()).find((r) => r.name === 'warehouses')!.version;
      const same = await api.app.inject({ method: 'POST', url: '/plugins/resources/warehouses/refresh', headers: asAdmin });
      expect(same.json()).toMatchObject({ name: 'warehouses', version: v, changed: false });
      await api.fx.pool.query('UPDATE warehouse SET capacity = capacity + 1 WHERE id = 3');
      const t0 = Date.now();
      const changed = await api.app.inject({ method: 'POST', url: '/plugins/resources/warehouses/refresh', headers: asAdmin });
      expect(changed.json()).toMatchObject({ name: 'warehouses', version: v + 1, changed: true, bumpedBy: 'token:ops' });
      await new Promise<void>((resolve, reject) => {
        const seen = () => messages.some((e) => e.data.name === 'warehouses' && e.data.version === v + 1);
        if (seen()) return resolve();
        const timer = setTimeout(() => reject(new Error('no resource.version on /ws within 1 s')), 1_000 - (Date.now() - t0));
        ws.on('message', () => {
          if (!seen()) return;
          clearTimeout(timer);
          resolve();
        });
      });
      // Exactly one announcement: the unchanged refresh sent none.
      expect(messages.filter((e) => e.data.name === 'warehouses')).toEqual([expect.objectContaining({ type: 'resource.version', data: expect.objectContaining({ name: 'warehouses', version: v + 1 }) })]);
      expect(await api.fx.raw.exists(`${api.fx.redisPrefix}data:warehouses:${v}`)).toBe(0);
      expect((await fulldata('warehouses', v)).headers['x-resource-version']).toBe(String(v + 1));
    } finally {
      ws.close();
    }
  });

  it('needs a token to read and an admin token to refresh or bump; bad input gets the error shape', async () => {
    // The plugin's public prefix is its own mount (for client.js), so the core's route sweep skips these: check here.
    for (const [method, url] of [['GET', '/plugins/resources'], ['GET', '/plugins/resources/staff/fulldata?v=1'], ['POST', '/plugins/resources/staff/refresh'], ['POST', '/plugins/resources/staff/bump']] as const) {
      for (const headers of [{}, { authorization: 'Bearer wrong-token' }]) {
        const res = await api.app.inject({ method, url, headers });
        expect(res.statusCode, `${method} ${url}`).toBe(401);
        expect(res.json()).toMatchObject({ code: 'SLUICE_UNAUTHORIZED' });
      }
    }
    for (const action of ['refresh', 'bump']) {
      const res = await api.app.inject({ method: 'POST', url: `/plugins/resources/staff/${action}`, headers: asReader });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ code: 'SLUICE_FORBIDDEN' });
    }
    const unknown = await fulldata('nope', 1);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ statusCode: 404, code: 'SLUICE_RESOURCE_NOT_FOUND', message: 'no resource named "nope"' });
    const bad = await fulldata('staff', 'abc');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ statusCode: 400, code: 'SLUICE_VALIDATION', field: 'querystring/v' });
    const refresh = await api.app.inject({ method: 'POST', url: '/plugins/resources/warehouses/refresh', headers: asAdmin });
    expect(refresh.json()).toMatchObject({ name: 'warehouses', changed: false });
  });

  it('serves the browser client and its Service Worker without a token', async () => {
    const client = await fetch(`${api.url}/plugins/resources/client.js`);
    expect(client.status).toBe(200);
    expect(client.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await client.text()).toContain('export async function createResources');
    const sw = await fetch(`${api.url}/plugins/resources/sw.js`);
    expect(sw.headers.get('service-worker-allowed')).toBe('/');
  });
});
