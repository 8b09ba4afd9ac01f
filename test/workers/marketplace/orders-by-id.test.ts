/**
 * The adapters' orders-by-id path (the webhook consumer's detail source) against the three fakes over HTTP: ids in
 * calls of at most 50, ids the shop does not have left out, the same records as the sync's detail path; Lazada one
 * /order/get per order besides its 50-id items calls.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { envOrDefault } from '../../../app/config/settings';
import { SharedRateLimiter } from '../../../plugins/rate-limit';
import { createAdapter, type PlatformName } from '../../../workers/marketplace/platforms';
import '../../../workers/marketplace/settings';
import { startMarketplaceFakes, type MarketplaceFakes } from '../../fakes/marketplaces';
import { createTestEnv, REDIS_URL, type TestEnv } from '../../support/isolation';
import { fakeEnv } from './market-fixture';

const SHOP = { shopId: '5501', ordersPerDay: 30, from: '2024-03-01', to: '2024-03-04' };
let fakes: MarketplaceFakes;
let t: TestEnv;
let redis: Redis;

beforeAll(async () => {
  fakes = await startMarketplaceFakes({ tiktok: { shops: [SHOP], limitPerSec: 1_000 }, shopee: { shops: [SHOP], limitPerSec: 1_000 }, lazada: { shops: [SHOP], limitPerSec: 1_000 } });
  t = createTestEnv('mkt_by_id');
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  await redis?.quit();
  await t?.cleanup();
  await fakes?.close();
});

function adapter(platform: PlatformName) {
  const env: Record<string, unknown> = { ...fakeEnv(fakes), MARKET_HTTP_BACKOFF_MS: 20 };
  const config = { get: <T>(k: string) => (k in env ? env[k] : envOrDefault(k)?.value) as T };
  const limiter = new SharedRateLimiter({ redis, keyPrefix: `${t.redisPrefix}rl`, limitOf: () => ({ points: 1_000 }) });
  const s = fakes[platform].shop(SHOP.shopId);
  const tokens = { load: async () => ({ accessToken: s.accessToken, refreshToken: s.refreshToken }), refresh: async () => false };
  return createAdapter({ config, limiter, tokens, shop: { id: `${platform}:${SHOP.shopId}`, platform, shopId: SHOP.shopId, channelId: platform, region: 'VN', timeZone: 'Asia/Ho_Chi_Minh', shopCipher: s.cipher } });
}

const idOf: Record<PlatformName, (r: Record<string, unknown>) => string> = { tiktok: (r) => String(r.id), shopee: (r) => String(r.order_sn), lazada: (r) => String(r.order_id) };
const DETAIL: Record<PlatformName, string> = { tiktok: '/order/202309/orders', shopee: '/api/v2/order/get_order_detail', lazada: '/orders/items/get' };

describe('ordersById', () => {
  for (const platform of ['tiktok', 'shopee', 'lazada'] as const) {
    it(`${platform}: 120 ids and 2 unknown ones in ⌈122 / 50⌉ detail calls, unknown ones left out, records as the sync's`, async () => {
      const orders = fakes[platform].shop(SHOP.shopId).data.orders;
      expect(orders).toHaveLength(120);
      const ids = [...orders.map((o) => o.id), '900000000000001', '900000000000002'];
      const before = fakes[platform].shopRequests(SHOP.shopId, DETAIL[platform]);
      const a = adapter(platform);
      const records = await a.ordersById(ids);
      expect(records.map(idOf[platform]).sort()).toEqual(orders.map((o) => o.id).sort());
      expect(fakes[platform].shopRequests(SHOP.shopId, DETAIL[platform]) - before).toBe(3);
      // The same record the sync's detail path builds from a listing stub.
      const viaSync = await a.orderDetails([{ id: orders[0].id, summary: platform === 'lazada' ? records.find((r) => idOf.lazada(r) === orders[0].id)! : {} }]);
      expect(records.find((r) => idOf[platform](r) === orders[0].id)).toEqual(viaSync[0]);
    });
  }

  it('lazada: one /order/get per numeric id (E016 for unknown ones), none for an id that cannot be a Lazada order', async () => {
    const before = fakes.lazada.shopRequests(SHOP.shopId, '/order/get');
    const order = fakes.lazada.shop(SHOP.shopId).data.orders[5];
    const records = await adapter('lazada').ordersById([order.id, '900000000000003', 'not-a-number']);
    expect(records.map((r) => String(r.order_id))).toEqual([order.id]);
    expect(records[0]).toMatchObject({ order_items: expect.arrayContaining([expect.objectContaining({ order_item_id: expect.any(Number) })]) });
    expect(fakes.lazada.shopRequests(SHOP.shopId, '/order/get') - before).toBe(2);
  });
});
