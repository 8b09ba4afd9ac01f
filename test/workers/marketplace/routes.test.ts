import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApiApp } from '../../../app/core/api/app';
import { fakeCounts, startMarket, SHOP_IDS, type MarketFixture } from './market-fixture';
import { eventually } from '../../support/isolation';
import { everyRedisValue, everyRow } from '../../support/store-dump';

const ADMIN = 'market-admin-token-0123456789abcdef';
const asAdmin = { authorization: `Bearer ${ADMIN}` };
const CANARY_ACCESS = 'CANARY-access-7f3e9b21c4d8a6e0';
const CANARY_REFRESH = 'CANARY-refresh-b5a1d7e3f9c2';
const shop = { ordersPerDay: 10, from: '2024-05-01', to: '2024-05-03', products: 20 };

describe('marketplace routes', () => {
  let f: MarketFixture;
  let app: FastifyInstance;
  const responses: string[] = [];
  const call = async (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown) => {
    const res = await app.inject({ method, url, headers: asAdmin, ...(payload === undefined ? {} : { payload: payload as object }) });
    responses.push(res.body);
    return res;
  };
  beforeAll(async () => {
    f = await startMarket('mktroutes', { shops: { tiktok: shop, shopee: shop }, env: { API_TOKENS: `ops:admin:${ADMIN},viewer:read:read-token-0123456789abcdef`, API_RATE_LIMIT_MAX: '100000' } });
    app = await buildApiApp(f.container);
  });
  afterAll(async () => {
    await app?.close();
    await f?.close();
  });

  it('manages shops without ever showing a credential', async () => {
    const created = await call('POST', '/plugins/marketplace/shops', { platform: 'lazada', shopId: 'L-1', region: 'vn', credentials: { accessToken: 'lz-secret-access-1', refreshToken: 'lz-secret-refresh-1' } });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ id: 'lazada:L-1', platform: 'lazada', region: 'VN', timeZone: 'Asia/Ho_Chi_Minh', enabled: true, credentials: { set: true } });
    expect((await call('POST', '/plugins/marketplace/shops', { platform: 'lazada', shopId: 'L-1', name: 'renamed' })).statusCode).toBe(200);
    const patched = await call('PATCH', '/plugins/marketplace/shops/lazada:L-1', { enabled: false });
    expect(patched.json()).toMatchObject({ enabled: false, name: 'renamed' });
    expect((await call('PUT', '/plugins/marketplace/shops/lazada:L-1/credentials', { accessToken: 'lz-secret-access-2', refreshToken: 'lz-secret-refresh-2' })).statusCode).toBe(204);
    const list = await call('GET', '/plugins/marketplace/shops');
    expect(list.json().shops.map((s: { id: string }) => s.id).sort()).toEqual(['lazada:L-1', `shopee:${SHOP_IDS.shopee}`, `tiktok:${SHOP_IDS.tiktok}`]);
    expect(list.body).not.toMatch(/lz-secret|tiktok-at-|tiktok-rt-|shopee-at-|shopee-rt-|access_token|refresh_token|accessToken|refreshToken/);
    expect((await call('GET', '/plugins/marketplace/shops/lazada:L-1')).body).not.toMatch(/lz-secret/);
    expect((await call('DELETE', '/plugins/marketplace/shops/lazada:L-1')).statusCode).toBe(204);
    expect((await call('DELETE', '/plugins/marketplace/shops/lazada:L-1')).statusCode).toBe(404);
    expect((await call('GET', '/plugins/marketplace/shops/nope')).json()).toMatchObject({ statusCode: 404, code: 'MARKET_SHOP_NOT_FOUND' });
  });

  it('rejects bad input with a 400 naming the field and changes nothing', async () => {
    const before = (await f.svc.syncLog.listSyncs(500)).length;
    const cases: Array<[unknown, string]> = [
      [{ from: '2024-02-30', to: '2024-03-01' }, 'body/from'],
      [{ from: '2024-03-02', to: '2024-03-01' }, 'body/to'],
      [{ from: '2024-03-01', to: '2024-03-02', shopIds: ['tiktok:404'] }, 'body/shopIds'],
    ];
    for (const [payload, field] of cases) {
      const res = await call('POST', '/plugins/marketplace/syncs', payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().field).toBe(field);
    }
    expect((await call('POST', '/plugins/marketplace/syncs', { from: 'yesterday', to: '2024-03-01' })).statusCode).toBe(400);
    expect((await call('POST', '/plugins/marketplace/syncs', { platform: 'amazon', from: '2024-03-01', to: '2024-03-01' })).statusCode).toBe(400);
    expect((await call('POST', '/plugins/marketplace/shops', { platform: 'tiktok', shopId: 'x', timeZone: 'Mars/Base' })).json().field).toBe('body/timeZone');
    const readOnly = await app.inject({ method: 'POST', url: '/plugins/marketplace/syncs', headers: { authorization: 'Bearer read-token-0123456789abcdef' }, payload: { from: '2024-03-01', to: '2024-03-01' } });
    expect(readOnly.statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/plugins/marketplace/shops' })).statusCode).toBe(401);
    expect((await f.svc.syncLog.listSyncs(500)).length).toBe(before);
  });

  it('a sync started through the API reports progress by chunk, and a canary token reaches no log, row, Redis key, document or response', async () => {
    // Plant the canary as the TikTok shop's tokens, on both sides, and make the fake expire it mid-sync so the
    // refresh token travels too.
    const tk = f.fakes.tiktok.shop(SHOP_IDS.tiktok);
    tk.accessToken = CANARY_ACCESS;
    tk.refreshToken = CANARY_REFRESH;
    expect((await call('PUT', `/plugins/marketplace/shops/tiktok:${SHOP_IDS.tiktok}/credentials`, { accessToken: CANARY_ACCESS, refreshToken: CANARY_REFRESH })).statusCode).toBe(204);
    f.fakes.tiktok.script({ kind: 'fail', times: 1, code: '105002', message: 'Access token is expired', path: '/order/202309/orders' });
    const started = await call('POST', '/plugins/marketplace/syncs', { from: '2024-05-01', to: '2024-05-03' });
    expect(started.statusCode).toBe(202);
    const { syncId } = started.json();
    type SyncBody = { status: string; chunkList: Array<{ status: string }>; counts: { orders: { fetched: number } }; tokenRefreshes: number };
    const done = await eventually<SyncBody>(async () => {
      const res = await call('GET', `/plugins/marketplace/syncs/${syncId}`);
      const body = res.json() as SyncBody;
      return ['completed', 'completed_with_errors'].includes(body.status) ? body : undefined;
    }, { timeoutMs: 45_000, intervalMs: 200 });
    expect(done).toMatchObject({ status: 'completed', chunks: { total: 6, succeeded: 6, failed: 0, pending: 0 }, problemDays: { buffered: [], failed: [] } });
    expect(done.chunkList).toHaveLength(6);
    expect(done.chunkList.every((c) => c.status === 'succeeded')).toBe(true);
    expect(done.counts.orders.fetched).toBe(60);
    expect(done.tokenRefreshes).toBe(1);
    expect(await f.count('orders', 'tiktok')).toBe(fakeCounts(f, 'tiktok').orders);
    expect(f.events.some((e) => e.type === ('sync.progress' as never) && (e.data as { syncId?: string }).syncId === syncId)).toBe(true);
    const listed = await call('GET', '/plugins/marketplace/syncs?limit=5');
    expect(listed.json().syncs[0]).toMatchObject({ syncId, status: 'completed' });
    expect((await call('POST', `/plugins/marketplace/syncs/${syncId}/retry-failed`)).statusCode).toBe(409);
    expect((await call('GET', '/plugins/marketplace/syncs/nope')).statusCode).toBe(404);
    // The chunk saw the refreshed token: the fake issued a new pair and the store holds it now.
    expect(tk.refreshes).toBe(1);

    await f.container.recorder.drain(5_000);
    await eventually(async () => (await f.container.logWriter.drain(5_000)) === 0, { timeoutMs: 10_000 });
    const mysqlText = await everyRow(f.container.core.pool);
    expect(mysqlText).toContain('marketplace-chunk'); // the dump is real: chunk runs are recorded
    const redisText = await everyRedisValue(f.container.redis, f.testEnv.redisPrefix);
    expect(redisText.length).toBeGreaterThan(0);
    const mongoText: string[] = [];
    for (const c of await f.db.listCollections().toArray()) {
      if (c.name === 'marketplace_shops') continue; // the store itself holds the tokens
      mongoText.push(JSON.stringify(await f.db.collection(c.name).find().toArray()));
    }
    for (const [where, text] of Object.entries({ api: responses.join('\n'), mysql: mysqlText, redis: redisText, mongo: mongoText.join('\n') })) {
      expect(text.includes('CANARY'), `canary found in ${where}`).toBe(false);
    }
  });
});
